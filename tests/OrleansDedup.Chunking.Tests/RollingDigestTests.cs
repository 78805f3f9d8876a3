namespace OrleansDedup.Chunking.Tests;

public class RollingDigestTests
{
    [Theory]
    [InlineData(48)]
    [InlineData(1024)]
    public void ReferenceDigestEqualsResidueOfWindowFromScratch(int window)
    {
        var options = new RabinOptions { WindowSize = window };
        byte[] data = TestData.Random(3 * window + 7, seed: 1);
        ulong[] digests = ReferenceChunker.WindowDigests(data, options);
        for (int last = window - 1; last < data.Length; last += 13)
        {
            Assert.Equal(Gf2Polynomial.Residue(data.AsSpan(last - window + 1, window), options.Polynomial), digests[last]);
        }
    }

    [Theory]
    [InlineData(48)]
    [InlineData(1024)]
    public void ChunkerDigestEqualsResidueOfLastWindowWhenFedByteByByte(int window)
    {
        var options = new RabinOptions { WindowSize = window, MaxSize = 1 << 20 };
        var chunker = new RabinChunker(options);
        byte[] data = TestData.Random(1 << 16, seed: 2);
        int start = 0, checkedDigests = 0;
        for (int i = 0; i < data.Length; i++)
        {
            if (chunker.FindBoundary(data.AsSpan(i, 1)) > 0)
            {
                start = i + 1;
            }
            else if (chunker.CurrentLength >= options.MinSize)
            {
                Assert.Equal(Gf2Polynomial.Residue(data.AsSpan(i - window + 1, window), options.Polynomial), chunker.Digest);
                checkedDigests++;
            }
        }

        Assert.True(checkedDigests > data.Length / 2);
        Assert.True(start > 0, "expected at least one cut");
    }

    [Theory]
    [InlineData(48)]
    [InlineData(1024)]
    public void ChunkerDigestEqualsResidueOfLastWindowAfterLargeReads(int window)
    {
        var options = new RabinOptions { WindowSize = window, AverageSize = 1 << 30, MaxSize = 1 << 30 };
        var chunker = new RabinChunker(options);
        byte[] data = TestData.Random(1 << 20, seed: 3);
        var sizes = new Random(4);
        for (int offset = 0; offset < data.Length - 20_000;)
        {
            int length = sizes.Next(1, 20_000);
            Assert.Equal(-1, chunker.FindBoundary(data.AsSpan(offset, length)));
            offset += length;
            if (offset >= options.MinSize)
            {
                Assert.Equal(Gf2Polynomial.Residue(data.AsSpan(offset - window, window), options.Polynomial), chunker.Digest);
            }
        }
    }

    [Theory]
    [InlineData(48, 2048, 8192, 65536)]
    [InlineData(1024, 2048, 8192, 65536)]
    [InlineData(64, 256, 1024, 4096)]
    [InlineData(4096, 4096, 4096, 16384)]
    public void BoundariesEqualTheReferenceRule(int window, int min, int average, int max)
    {
        var options = new RabinOptions { WindowSize = window, MinSize = min, AverageSize = average, MaxSize = max };
        byte[] data = TestData.Random(2 << 20, seed: 5);
        List<int> expected = ReferenceChunker.Cuts(data, options);

        Assert.True(expected.Count > 50);
        Assert.Equal(expected, TestData.Cuts(new RabinChunker(options), data));
    }
}
