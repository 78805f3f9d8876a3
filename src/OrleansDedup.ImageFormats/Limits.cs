namespace OrleansDedup.ImageFormats;

/// <summary>Bounds on fields that size work or buffers, checked before anything is read or allocated.</summary>
internal static class Limits
{
    /// <summary>64 PiB: beyond any real guest disk, small enough that guest offset arithmetic cannot overflow.</summary>
    public const long MaxVirtualSize = 1L << 56;

    /// <summary>Bytes per piece when a large table (L1, grain directory, BAT, block map) is read into a pooled buffer.</summary>
    public const int TableChunkBytes = 64 << 10;
}
