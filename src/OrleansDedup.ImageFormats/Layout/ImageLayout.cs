namespace OrleansDedup.ImageFormats.Layout;

/// <summary>
/// A container file mapped onto its guest disk: <see cref="Regions"/> are ordered, do not overlap and cover
/// [0, <see cref="FileLength"/>). Guest ranges no region maps are holes and read as zeros.
/// </summary>
public sealed class ImageLayout
{
    internal ImageLayout(
        ImageFormat format,
        string variant,
        long virtualSize,
        long fileLength,
        IReadOnlyList<ImageRegion> regions,
        GuestCompression compression = GuestCompression.None,
        long compressedUnitSize = 0)
    {
        Format = format;
        Variant = variant;
        VirtualSize = virtualSize;
        FileLength = fileLength;
        Regions = regions;
        Compression = compression;
        CompressedUnitSize = compressedUnitSize;
    }

    public ImageFormat Format { get; }

    /// <summary>The format's own name for the layout, e.g. "qcow2 v3", "streamOptimized", "dynamic".</summary>
    public string Variant { get; }

    /// <summary>The guest disk size in bytes.</summary>
    public long VirtualSize { get; }

    public long FileLength { get; }

    public IReadOnlyList<ImageRegion> Regions { get; }

    public GuestCompression Compression { get; }

    /// <summary>
    /// The guest bytes one compressed region inflates to: the qcow2 cluster or VMDK grain size; 0 for formats
    /// that cannot compress (at the end of the disk, the virtual size cuts it short).
    /// </summary>
    public long CompressedUnitSize { get; }
}
