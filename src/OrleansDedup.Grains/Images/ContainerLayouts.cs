using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.ImageFormats;

namespace OrleansDedup.Grains.Images;

/// <summary>Reads an image file's container layout for an ingest, turning a broken one into a bad-input refusal.</summary>
public static class ContainerLayouts
{
    /// <summary>The layout of <paramref name="path"/>; a header whose tables are bad is refused with the reader's line,
    /// which names the bad entry. <paramref name="root"/> and <paramref name="identity"/>: see <see cref="SourceFile"/>.</summary>
    public static ImageLayout Read(string path, long length, string? root = null, FileIdentity? identity = null)
    {
        try
        {
            using var file = SourceFile.OpenVerified(path, root, identity);
            return ImageLayoutReader.Read(file, length);
        }
        catch (ImageFormatException e)
        {
            throw new IngestException(IngestErrorKind.BadInput,
                $"{path} is not a valid container: {e.Message}; ingest it with --opaque (API: \"opaque\": true) to store it as plain bytes");
        }
        catch (IOException e)
        {
            throw new IngestException(IngestErrorKind.BadInput, $"cannot read the container tables of {path}: {e.Message}");
        }
    }

    /// <summary>The format from the magic bytes alone, for an image ingested as opaque bytes.</summary>
    public static ContainerInfo Opaque(string path, long length, string? root = null, FileIdentity? identity = null)
    {
        using var file = SourceFile.OpenVerified(path, root, identity);
        return new ContainerInfo(Name(ImageLayoutReader.Detect(file, length)), "opaque bytes (tables not read)", length, 0, 0, 0, false);
    }

    public static ContainerInfo Summary(ImageLayout layout, bool formatAware)
    {
        long guest = 0, compressed = 0, metadata = 0;
        foreach (var region in layout.Regions)
        {
            switch (region.Kind)
            {
                case RegionKind.GuestData: guest += region.Length; break;
                case RegionKind.CompressedGuestData: compressed += region.Length; break;
                default: metadata += region.Length; break;
            }
        }
        return new ContainerInfo(Name(layout.Format), layout.Variant, layout.VirtualSize, guest, compressed, metadata, formatAware);
    }

    /// <summary>The layout's regions as grid spans: guest data anchored at its guest offset, the rest at its own start and
    /// marked as the container's own (compressed guest data too: its bytes are the container's encoding).</summary>
    public static GridSpan[] Spans(ImageLayout layout, int blockSize) =>
        layout.Regions.Select(r => r.Kind == RegionKind.GuestData
            ? new GridSpan(r.FileOffset, r.Length, r.GuestOffset % blockSize)
            : new GridSpan(r.FileOffset, r.Length, 0, Metadata: true)).ToArray();

    private static string Name(ImageFormat format) => format.ToString().ToLowerInvariant();
}
