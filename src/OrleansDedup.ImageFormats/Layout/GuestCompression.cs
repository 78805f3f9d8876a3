namespace OrleansDedup.ImageFormats.Layout;

/// <summary>How the image's compressed guest data regions are encoded.</summary>
public enum GuestCompression
{
    None,

    /// <summary>Raw deflate (qcow2 compression type 0).</summary>
    Deflate,

    /// <summary>Deflate with a zlib header (streamOptimized VMDK grains).</summary>
    Zlib,

    /// <summary>qcow2 compression type 1: not inflated by this library.</summary>
    Zstd,
}
