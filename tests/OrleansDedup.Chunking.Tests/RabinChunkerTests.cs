namespace OrleansDedup.Chunking.Tests;

public class RabinChunkerTests
{
    private static readonly byte[] Data = TestData.Random(8 << 20, seed: 42);

    [Theory]
    [InlineData(48)]
    [InlineData(1024)]
    public void BoundariesDoNotDependOnHowTheStreamIsSplit(int window)
    {
        var chunker = new RabinChunker(new RabinOptions { WindowSize = window });
        List<int> whole = TestData.Cuts(chunker, Data);

        var sizes = new Random(7);
        List<int> randomReads = TestData.Cuts(chunker, Data, () => sizes.Next(1, 100 * 1024 + 1));
        var small = new Random(8);
        List<int> smallReads = TestData.Cuts(chunker, Data.AsSpan(0, 1 << 20).ToArray(), () => small.Next(1, 64));

        Assert.True(whole.Count > 500);
        Assert.Equal(whole, randomReads);
        Assert.Equal(whole.TakeWhile(cut => cut < 1 << 20), smallReads.TakeWhile(cut => cut < 1 << 20));
    }

    [Fact]
    public void OneByteReadsGiveTheSameBoundaries()
    {
        var chunker = new RabinChunker(new RabinOptions());
        byte[] data = Data.AsSpan(0, 256 * 1024).ToArray();

        Assert.Equal(TestData.Cuts(chunker, data), TestData.Cuts(chunker, data, () => 1));
    }

    [Theory]
    [InlineData(48)]
    [InlineData(1024)]
    public void ChunksRespectMinAndMax(int window)
    {
        var options = new RabinOptions { WindowSize = window };
        List<int> lengths = TestData.Lengths(TestData.Cuts(new RabinChunker(options), Data));

        Assert.All(lengths.SkipLast(1), length => Assert.InRange(length, options.MinSize, options.MaxSize));
        Assert.InRange(lengths[^1], 1, options.MaxSize);
    }

    [Fact]
    public void ZeroDataIsCutAtMaxSize()
    {
        var options = new RabinOptions();
        byte[] zeros = new byte[16 * options.MaxSize + 100];

        List<int> lengths = TestData.Lengths(TestData.Cuts(new RabinChunker(options), zeros));

        Assert.Equal(Enumerable.Repeat(options.MaxSize, 16).Append(100), lengths);
    }

    [Theory]
    [InlineData(48)]
    [InlineData(1024)]
    public void AverageChunkSizeTracksAverageSize(int window)
    {
        var options = new RabinOptions { WindowSize = window };
        double mean = TestData.Lengths(TestData.Cuts(new RabinChunker(options), Data)).Average();

        Assert.InRange(mean, options.MinSize + options.AverageSize / 2, options.MinSize + 2 * options.AverageSize);
    }

    [Fact]
    public void InsertionNearTheStartOnlyDisturbsNearbyChunks()
    {
        byte[] original = Data.AsSpan(0, 4 << 20).ToArray();
        byte[] shifted = [.. original.AsSpan(0, 5000), .. TestData.Random(100, seed: 9), .. original.AsSpan(5000)];

        Assert.True(Overlap(RabinChunks(original), RabinChunks(shifted)) > 0.9);
        Assert.True(Overlap(FixedBlocks(original), FixedBlocks(shifted)) < 0.1);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(256 - 64 - 1)]
    [InlineData(256 - 64)]
    [InlineData(256 - 1)]
    [InlineData(256)]
    public void ACutAtExactlyMinSizeIsFoundWhereverTheReadsSplit(int firstRead)
    {
        var options = new RabinOptions { WindowSize = 64, MinSize = 256, AverageSize = 1024, MaxSize = 4096 };
        ulong mask = (ulong)options.AverageSize - 1;
        byte[] data = Enumerable.Range(0, 100_000)
            .Select(seed => TestData.Random(16 * 1024, seed))
            .First(candidate => (Gf2Polynomial.Residue(candidate.AsSpan(256 - 64, 64), options.Polynomial) & mask) == mask);
        int reads = 0;

        List<int> cuts = TestData.Cuts(new RabinChunker(options), data, () => reads++ == 0 ? firstRead : 4096);

        Assert.Equal(options.MinSize, cuts[0]);
        Assert.Equal(ReferenceChunker.Cuts(data, options), cuts);
    }

    [Fact]
    public void FindBoundaryOnEmptyDataKeepsTheChunkOpen()
    {
        var chunker = new RabinChunker(new RabinOptions());
        chunker.FindBoundary(Data.AsSpan(0, 1000));

        Assert.Equal(-1, chunker.FindBoundary([]));
        Assert.Equal(1000, chunker.CurrentLength);
    }

    [Fact]
    public void ResetStartsAFreshChunk()
    {
        var chunker = new RabinChunker(new RabinOptions());
        List<int> expected = TestData.Cuts(chunker, Data);
        chunker.FindBoundary(Data.AsSpan(0, 3000));

        chunker.Reset();

        Assert.Equal(0, chunker.CurrentLength);
        Assert.Equal(expected[0], chunker.FindBoundary(Data));
    }

    private static double Overlap(HashSet<Fingerprint> original, HashSet<Fingerprint> changed) =>
        (double)original.Count(changed.Contains) / original.Count;

    private static HashSet<Fingerprint> RabinChunks(byte[] data)
    {
        List<int> cuts = TestData.Cuts(new RabinChunker(new RabinOptions()), data);
        return cuts.Select((cut, i) => Fingerprint.Compute(data.AsSpan(i == 0 ? 0 : cuts[i - 1], cut - (i == 0 ? 0 : cuts[i - 1]))))
            .ToHashSet();
    }

    private static HashSet<Fingerprint> FixedBlocks(byte[] data) =>
        Enumerable.Range(0, data.Length / 4096).Select(i => Fingerprint.Compute(data.AsSpan(i * 4096, 4096))).ToHashSet();
}
