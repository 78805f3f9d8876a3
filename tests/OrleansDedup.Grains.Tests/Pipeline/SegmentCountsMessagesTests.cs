using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking.Segments;
using OrleansDedup.Grains.Pipeline;

namespace OrleansDedup.Grains.Tests.Pipeline;

/// <summary>A segment's counts reach its stats message each in its own place (the message is positional).</summary>
public sealed class SegmentCountsMessagesTests
{
    [Fact]
    public void Every_count_lands_in_its_own_stat()
    {
        var counts = new SegmentCounts();
        counts.New(9);
        counts.Duplicate(30);
        counts.Duplicate(30);
        counts.Zero(3 * 4096, blockSize: 4096);
        counts.IndexInserted([false, false, false, false, true]);
        counts.StoredChunkBytes = 5;
        counts.RecipeBytes = 7;

        var stats = counts.ToStats();

        Assert.Equal(new DedupStats(ZeroChunks: 3, DuplicateChunks: 2, NewChunks: 1, ZeroBytes: 12288, DuplicateBytes: 60, NewBytes: 9,
            StoredChunkBytes: 5, IndexEntriesAdded: 4, RecipeBytes: 7), stats);
    }
}
