using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Images;

/// <summary>Splits an image into segments and picks how each is cut.</summary>
public static class SegmentPlan
{
    public static SegmentWork[] For(string image, string path, long size, ChunkingStrategy strategy, DedupOptions options, Guid ingestId)
    {
        var mode = strategy switch
        {
            ChunkingStrategy.Fixed => SegmentMode.Fixed,
            ChunkingStrategy.Rabin => SegmentMode.Rabin,
            // The published method: small images get fixed blocks only; large ones fixed blocks, then Rabin on the residue.
            _ => size < options.SegmentSize ? SegmentMode.Fixed : SegmentMode.FixedThenRabin,
        };
        var count = (int)((size + options.SegmentSize - 1) / options.SegmentSize);
        return Enumerable.Range(0, count).Select(i =>
        {
            var offset = i * options.SegmentSize;
            return new SegmentWork(image, path, size, i, offset, Math.Min(options.SegmentSize, size - offset), mode,
                StoreLayout.RecipeRelativePath(ingestId, i));
        }).ToArray();
    }
}
