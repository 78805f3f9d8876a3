using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Images;

/// <summary>Splits an image into segments and picks how each is cut.</summary>
public static class SegmentPlan
{
    private const int Block = DedupOptions.BlockSize;

    /// <param name="spans">The container's grid spans when its blocks should follow the guest's; null for opaque bytes.</param>
    public static SegmentWork[] For(string image, string path, long size, ChunkingStrategy strategy, DedupOptions options, Guid ingestId,
        GridSpan[]? spans = null)
    {
        var mode = strategy switch
        {
            ChunkingStrategy.Fixed or ChunkingStrategy.Guest => SegmentMode.Fixed,
            ChunkingStrategy.Rabin => SegmentMode.Rabin,
            // The published method: small images get fixed blocks only; large ones fixed blocks, then Rabin on the residue.
            _ => size < options.SegmentSize ? SegmentMode.Fixed : SegmentMode.FixedThenRabin,
        };
        var grid = spans is null ? BlockGrid.Uniform(Block) : BlockGrid.Anchored(Block, spans);
        var count = (int)((size + options.SegmentSize - 1) / options.SegmentSize);
        // A boundary moves back to the grid cut at or before it (less than a block), so that no block straddles two segments.
        var bounds = Enumerable.Range(0, count + 1).Select(i => i == count ? size : grid.CutAtOrBefore(i * options.SegmentSize)).ToArray();
        var first = 0;
        return Enumerable.Range(0, count).Select(i =>
        {
            var (offset, end) = (bounds[i], bounds[i + 1]);
            return new SegmentWork(ImageName: image, SourcePath: path, SourceLength: size, Index: i, Offset: offset, Length: end - offset,
                Mode: mode, RecipePath: StoreLayout.RecipeRelativePath(ingestId, i),
                Grid: spans is null ? null : Clip(spans, ref first, offset, end));
        }).ToArray();
    }

    public static bool IsFormatAware(ChunkingStrategy strategy) => strategy is ChunkingStrategy.Adaptive or ChunkingStrategy.Guest;

    /// <summary>The spans overlapping [start, end), cut to it, each keeping its phase at its new start. Segments come in
    /// file order, so <paramref name="first"/> only moves forward: the plan is linear in the number of regions.</summary>
    private static GridSpan[] Clip(GridSpan[] spans, ref int first, long start, long end)
    {
        while (first < spans.Length && spans[first].End <= start) first++;
        var clipped = new List<GridSpan>();
        for (var k = first; k < spans.Length && spans[k].Start < end; k++)
        {
            var s = spans[k];
            var from = Math.Max(s.Start, start);
            clipped.Add(new GridSpan(from, Math.Min(s.End, end) - from, (s.Phase + from - s.Start) % Block, s.Metadata));
        }
        return clipped.ToArray();
    }
}
