using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.Grains.Images;

/// <summary>Reads an image file's container layout for an ingest, turning a broken one into a bad-input refusal.</summary>
public static class ContainerLayouts
{
    private const int MinimumSpan = 512;

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
        return new ContainerInfo(Format: Name(ImageLayoutReader.Detect(file, length)), Variant: "opaque bytes (tables not read)", VirtualSize: length,
            GuestDataBytes: 0, CompressedGuestBytes: 0, MetadataBytes: 0, FormatAware: false);
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
        return new ContainerInfo(Format: Name(layout.Format), Variant: layout.Variant, VirtualSize: layout.VirtualSize, GuestDataBytes: guest,
            CompressedGuestBytes: compressed, MetadataBytes: metadata, FormatAware: formatAware);
    }

    /// <summary>The layout's regions as grid spans: guest data anchored at its guest offset, the rest at its own start and
    /// marked as the container's own (compressed guest data too: its bytes are the container's encoding). Container
    /// bytes shorter than a sector (markers, tiny compressed units) join the container span before them, so a file
    /// packed with tiny compressed units costs at most a block per 512 bytes, not a block and a recipe entry per unit;
    /// a unit of a sector or more keeps its own start, where the same unit in another image lines up.</summary>
    public static GridSpan[] Spans(ImageLayout layout, int blockSize)
    {
        var spans = new List<GridSpan>(layout.Regions.Count);
        foreach (var r in layout.Regions)
        {
            if (r.Kind == RegionKind.GuestData)
                spans.Add(new GridSpan(r.FileOffset, r.Length, r.GuestOffset % blockSize));
            else if (r.Length < MinimumSpan && spans.Count > 0 && spans[^1].Metadata && spans[^1].End == r.FileOffset)
                spans[^1] = spans[^1] with { Length = spans[^1].Length + r.Length };
            else
                spans.Add(new GridSpan(r.FileOffset, r.Length, 0, Metadata: true));
        }
        return spans.ToArray();
    }

    private static string Name(ImageFormat format) => format.ToString().ToLowerInvariant();
}
