using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking.Segments;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>A segment's Orleans-free <see cref="SegmentCounts"/> as the <see cref="DedupStats"/> message it reports.</summary>
internal static class SegmentCountsMessages
{
    public static DedupStats ToStats(this in SegmentCounts counts) => new(
        counts.ZeroChunks, counts.DuplicateChunks, counts.NewChunks, counts.ZeroBytes, counts.DuplicateBytes, counts.NewBytes,
        counts.StoredChunkBytes, counts.IndexEntriesAdded, counts.RecipeBytes, counts.HashedBytes);
}
