using OrleansDedup.Chunking.Segments;

namespace OrleansDedup.Chunking.Tests.Segments;

public class SegmentCountsTests
{
    [Fact]
    public void EachKindCountsItsChunksAndBytes()
    {
        var counts = new SegmentCounts();

        counts.New(4096);
        counts.New(100);
        counts.Duplicate(2048);
        counts.Zero(3 * 4096 + 1, blockSize: 4096);

        Assert.Equal((2, 4196L), (counts.NewChunks, counts.NewBytes));
        Assert.Equal((1, 2048L), (counts.DuplicateChunks, counts.DuplicateBytes));
        Assert.Equal((4, 3 * 4096L + 1), (counts.ZeroChunks, counts.ZeroBytes));
    }

    [Fact]
    public void BytesOfAllKindsAddUpToWhatWasCounted()
    {
        var counts = new SegmentCounts();
        var random = new Random(1);
        long total = 0;
        for (var i = 0; i < 1000; i++)
        {
            var length = random.Next(1, 70_000);
            total += length;
            switch (i % 3)
            {
                case 0: counts.New(length); break;
                case 1: counts.Duplicate(length); break;
                default: counts.Zero(length, 4096); break;
            }
        }

        Assert.Equal(total, counts.NewBytes + counts.DuplicateBytes + counts.ZeroBytes);
        Assert.Equal(334, counts.NewChunks);
        Assert.Equal(333, counts.DuplicateChunks);
    }

    [Fact]
    public void OnlyEntriesThatDidNotCollideAreAdded()
    {
        var counts = new SegmentCounts();

        counts.IndexInserted([false, true, false, false]);
        counts.IndexInserted([true]);
        counts.IndexInserted([]);

        Assert.Equal(3, counts.IndexEntriesAdded);
    }
}
