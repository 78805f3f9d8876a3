namespace OrleansDedup.Storage.Packs;

/// <summary>A pack file on disk and its current length in bytes.</summary>
public sealed record PackInfo(int Id, long Length);
