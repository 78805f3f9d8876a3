using System.Runtime.CompilerServices;
using OrleansDedup.Chunking.Segments;

namespace OrleansDedup.Chunking.Tests.Segments;

public class BatchScratchTests
{
    private const int Block = 4096;
    private static readonly BlockGrid Uniform = BlockGrid.Uniform(Block);

    [Fact]
    public void CutBlocksFollowsTheGridAndFingerprintsEachNonZeroBlock()
    {
        var data = TestData.Random(5 * Block + 100, seed: 1);
        data.AsSpan(2 * Block, Block).Clear();
        var s = new BatchScratch(data.Length, Block, 512);

        Assert.Equal(6, s.CutBlocks(Uniform, 0, data, hash: true));

        Assert.Equal(6, s.BlockCount);
        Assert.Equal(data.Length, s.Start(6));
        Assert.Equal(100, s.Length(5));
        for (var b = 0; b < 6; b++)
        {
            Assert.Equal(b * Block, s.Start(b));
            Assert.Equal(b == 2, s.IsZero(b));
            var bytes = data.AsSpan(b * Block, s.Length(b));
            Assert.True(s.Block(data, b).SequenceEqual(bytes));
            Assert.Equal(b == 2 ? default : Fingerprint.Compute(bytes), s.BlockFingerprint(b));
        }
    }

    [Fact]
    public void WithoutHashOnlyTheZeroCheckRuns()
    {
        var data = TestData.Random(3 * Block, seed: 2);
        data.AsSpan(Block, Block).Clear();
        var s = new BatchScratch(data.Length, Block, 512);

        s.CutBlocks(Uniform, 0, data, hash: false);

        Assert.Equal([false, true, false], Enumerable.Range(0, 3).Select(s.IsZero));
        Assert.All(Enumerable.Range(0, 3), b => Assert.Equal(default, s.BlockFingerprint(b)));
    }

    [Fact]
    public void AnAnchoredGridCutsMoreBlocksThanTheScratchWasSizedForAndItGrows()
    {
        // Spans of 1000 bytes: a 4 KiB batch sized for two blocks is cut into about 80.
        var spans = Enumerable.Range(0, 80).Select(i => new GridSpan(i * 1000L, 1000, 0)).ToArray();
        var data = TestData.Random(80_000, seed: 3);
        var s = new BatchScratch(Block, Block, 512);

        var blocks = s.CutBlocks(BlockGrid.Anchored(Block, spans), 0, data, hash: true);

        Assert.Equal(80, blocks);
        for (var b = 0; b < blocks; b++)
        {
            Assert.Equal(b * 1000, s.Start(b));
            Assert.Equal(Fingerprint.Compute(data.AsSpan(b * 1000, 1000)), s.BlockFingerprint(b));
        }
    }

    [Fact]
    public void DistinctBlocksKeepEachFingerprintOnceAtItsFirstOccurrence()
    {
        var data = TestData.Random(6 * Block, seed: 4);
        data.AsSpan(0, Block).CopyTo(data.AsSpan(3 * Block));  // block 3 repeats block 0
        data.AsSpan(Block, Block).CopyTo(data.AsSpan(5 * Block)); // block 5 repeats block 1
        data.AsSpan(4 * Block, Block).Clear();
        var s = new BatchScratch(data.Length, Block, 512);
        s.CutBlocks(Uniform, 0, data, hash: true);

        s.CollectDistinctBlocks();

        Assert.Equal(3, s.Blocks.Count);
        Assert.Equal([0, 1, 2, 0, -1, 1], Enumerable.Range(0, 6).Select(s.BlockDistinct));
        Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(s.Blocks.FirstOccurrence));
        Assert.Equal([s.BlockFingerprint(0), s.BlockFingerprint(1), s.BlockFingerprint(2)], s.Blocks.FingerprintArray());
    }

    [Fact]
    public async Task DistinctChunksFindTheChunksOfARepeatedRun()
    {
        var data = TestData.Random(9 * Block, seed: 5);
        data.AsSpan(4 * Block, Block).Clear();
        data.AsSpan(0, 4 * Block).CopyTo(data.AsSpan(5 * Block)); // blocks 5-8 repeat blocks 0-3
        var s = new BatchScratch(data.Length, Block, 512);
        s.CutBlocks(Uniform, 0, data, hash: false);
        s.ClearRuns();
        for (var b = 0; b < s.BlockCount; b++)
            if (!s.IsZero(b)) s.AddToRuns(b);
        await new RunChunker(new RabinOptions { MinSize = 512, AverageSize = 2048, MaxSize = 8192 }, CancellationToken.None).Chunk(s, data);

        s.CollectDistinctChunks();

        var (_, perRun) = s.RunChunks(0);
        Assert.Equal(2 * perRun, s.ChunkCount);
        Assert.Equal(perRun, s.DistinctChunks.Count);
        for (var k = 0; k < perRun; k++)
        {
            Assert.Equal(k, s.ChunkDistinct(k));
            Assert.Equal(k, s.ChunkDistinct(perRun + k));
            Assert.Equal(k, s.DistinctChunks.FirstOccurrence(k));
            Assert.Equal(s.ChunkFingerprint(k), s.DistinctChunks[k]);
        }
    }

    [Fact]
    public void RunsJoinAdjacentBlocksOnly()
    {
        var data = new byte[8 * Block];
        var s = new BatchScratch(data.Length, Block, 512);
        s.CutBlocks(Uniform, 0, data, hash: false);

        foreach (var b in new[] { 0, 1, 2, 4, 6, 7 }) s.AddToRuns(b);

        Assert.Equal([(0, 3 * Block), (4 * Block, Block), (6 * Block, 2 * Block)], Enumerable.Range(0, s.RunCount).Select(s.Run));
        s.ClearRuns();
        Assert.Equal(0, s.RunCount);
    }

    [Fact]
    public void TheNextBatchReusesTheArraysAndForgetsTheLastOne()
    {
        var first = TestData.Random(16 * Block, seed: 6);
        var second = TestData.Random(8 * Block, seed: 7);
        var s = new BatchScratch(first.Length, Block, 512);
        Batch(s, first);
        ref readonly var blockFingerprints = ref s.BlockFingerprint(0);
        ref readonly var chunkFingerprints = ref s.ChunkFingerprint(0);

        Batch(s, second);

        Assert.True(Unsafe.AreSame(ref Unsafe.AsRef(in blockFingerprints), ref Unsafe.AsRef(in s.BlockFingerprint(0))));
        Assert.True(Unsafe.AreSame(ref Unsafe.AsRef(in chunkFingerprints), ref Unsafe.AsRef(in s.ChunkFingerprint(0))));
        Assert.Equal(8, s.BlockCount);
        Assert.Equal(8, s.Blocks.Count);
        Assert.Equal(1, s.RunCount);
        Assert.Equal((0, s.ChunkCount), s.RunChunks(0));
        Assert.Equal(s.ChunkCount, s.DistinctChunks.Count);
        for (var k = 0; k < s.ChunkCount; k++)
            Assert.Equal(Fingerprint.Compute(second.AsSpan(s.Chunk(k).Start, s.Chunk(k).Length)), s.ChunkFingerprint(k));
    }

    /// <summary>One batch through the scratch, its run cut into 1000-byte chunks (the chunker's part, done here in line).</summary>
    private static void Batch(BatchScratch s, byte[] data)
    {
        s.CutBlocks(Uniform, 0, data, hash: true);
        s.CollectDistinctBlocks();
        s.ClearRuns();
        for (var b = 0; b < s.BlockCount; b++) s.AddToRuns(b);
        s.ClearChunks();
        for (var at = 0; at < data.Length; at += 1000) s.AddChunk(at, Math.Min(1000, data.Length - at));
        s.EndRun();
        s.FingerprintChunks(data);
        s.CollectDistinctChunks();
    }
}
