using OrleansDedup.Chunking.Segments;

namespace OrleansDedup.Chunking.Tests.Segments;

public class RunChunkerTests
{
    private const int Block = 4096;
    private static readonly RabinOptions Options = new() { MinSize = 512, AverageSize = 2048, MaxSize = 8192 };

    /// <summary>A batch of random blocks with the given blocks zeroed, cut on the uniform grid.</summary>
    private static (byte[] Data, BatchScratch Scratch) Batch(int blocks, int seed, params int[] zeroBlocks)
    {
        var data = TestData.Random(blocks * Block, seed);
        foreach (var b in zeroBlocks) data.AsSpan(b * Block, Block).Clear();
        var scratch = new BatchScratch(data.Length, Block, Options.MinSize);
        scratch.CutBlocks(BlockGrid.Uniform(Block), 0, data, hash: false);
        return (data, scratch);
    }

    private static void RunsOfNonZeroBlocks(BatchScratch s)
    {
        s.ClearRuns();
        for (var b = 0; b < s.BlockCount; b++)
            if (!s.IsZero(b)) s.AddToRuns(b);
    }

    [Fact]
    public async Task EachRunIsCutAsAFreshChunkerCutsItAlone()
    {
        var (data, s) = Batch(40, seed: 1, 0, 9, 10, 25, 39);
        RunsOfNonZeroBlocks(s);

        await new RunChunker(Options, CancellationToken.None).Chunk(s, data);

        Assert.Equal([(Block, 8 * Block), (11 * Block, 14 * Block), (26 * Block, 13 * Block)],
            Enumerable.Range(0, s.RunCount).Select(s.Run));
        var reference = new RabinChunker(Options);
        for (var r = 0; r < s.RunCount; r++)
        {
            var (start, length) = s.Run(r);
            var expected = TestData.Cuts(reference, data[start..(start + length)]).Select(cut => start + cut);
            var (first, count) = s.RunChunks(r);
            Assert.Equal(expected, Enumerable.Range(first, count).Select(k => s.Chunk(k).Start + s.Chunk(k).Length));
        }
    }

    [Fact]
    public async Task ChunksTileTheRunsInOrder()
    {
        var (data, s) = Batch(64, seed: 2, 3, 4, 30);
        RunsOfNonZeroBlocks(s);

        await new RunChunker(Options, CancellationToken.None).Chunk(s, data);

        var k = 0;
        for (var r = 0; r < s.RunCount; r++)
        {
            var (start, length) = s.Run(r);
            var (first, count) = s.RunChunks(r);
            Assert.Equal(k, first);
            var at = start;
            for (; k < first + count; k++)
            {
                var (chunkStart, chunkLength) = s.Chunk(k);
                Assert.Equal(at, chunkStart);
                Assert.InRange(chunkLength, 1, Options.MaxSize);
                at += chunkLength;
            }
            Assert.Equal(start + length, at);
        }
        Assert.Equal(s.ChunkCount, k);
    }

    [Fact]
    public async Task ChunkFingerprintsAreTheSha256OfTheirSlices()
    {
        var (data, s) = Batch(64, seed: 3, 7);
        RunsOfNonZeroBlocks(s);

        await new RunChunker(Options, CancellationToken.None).Chunk(s, data);

        Assert.True(s.ChunkCount > 64 * Block / Options.MaxSize);
        for (var k = 0; k < s.ChunkCount; k++)
        {
            var (start, length) = s.Chunk(k);
            Assert.Equal(Fingerprint.Compute(data.AsSpan(start, length)), s.ChunkFingerprint(k));
        }
    }

    [Fact]
    public async Task ABatchWithMoreChunksThanItWasSizedForGrowsItsArrays()
    {
        var (data, _) = Batch(16, seed: 4);
        var s = new BatchScratch(Block, Block, Options.MaxSize); // sized for one chunk
        s.CutBlocks(BlockGrid.Uniform(Block), 0, data, hash: false);
        RunsOfNonZeroBlocks(s);

        await new RunChunker(Options, CancellationToken.None).Chunk(s, data);

        Assert.True(s.ChunkCount > 2);
        var (start, length) = s.Chunk(s.ChunkCount - 1);
        Assert.Equal(data.Length, start + length);
        Assert.Equal(Fingerprint.Compute(data.AsSpan(start, length)), s.ChunkFingerprint(s.ChunkCount - 1));
    }

    [Fact]
    public async Task NoRunsGiveNoChunks()
    {
        var (data, s) = Batch(4, seed: 5, 0, 1, 2, 3);
        RunsOfNonZeroBlocks(s);

        await new RunChunker(Options, CancellationToken.None).Chunk(s, data);

        Assert.Equal(0, s.RunCount);
        Assert.Equal(0, s.ChunkCount);
    }
}
