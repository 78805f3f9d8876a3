namespace OrleansDedup.ImageFormats;

/// <summary>The disk is larger than the target format, or the file system the output goes to, can hold: a property of
/// the image, refused with one line naming the limit.</summary>
public sealed class FormatLimitException : Exception
{
    public FormatLimitException(string message)
        : base(message)
    {
    }

    public FormatLimitException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
