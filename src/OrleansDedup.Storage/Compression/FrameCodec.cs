namespace OrleansDedup.Storage.Compression;

/// <summary>How a frame's data is stored in a pack.</summary>
public enum FrameCodec : byte
{
    Stored = 0,
    Zstd = 1,
}
