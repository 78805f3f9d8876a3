namespace OrleansDedup.Grains.Images;

/// <summary>The image's record could not be written, and whether the database applied the write is unknown.</summary>
internal sealed class CommitUnknownException(Exception inner) : Exception("the image record could not be written", inner);
