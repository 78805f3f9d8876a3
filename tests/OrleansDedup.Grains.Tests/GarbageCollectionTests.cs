using OrleansDedup.Chunking;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Deleting an image whose packs another image still partly uses leaves those packs mostly dead: the collector
/// copies their live chunks into a new pack, points the index at the copies and deletes the old packs.</summary>
public sealed class GarbageCollectionTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    private Grid Grid => fixture.Grid;

    /// <summary>B's non-zero 4 KiB blocks whose content is also a block of A.</summary>
    private static int SharedBlocks(byte[] a, byte[] b)
    {
        var blocks = new HashSet<Fingerprint>();
        for (var at = 0; at + TestImages.Block <= a.Length; at += TestImages.Block) blocks.Add(Fingerprint.Compute(a.AsSpan(at, TestImages.Block)));
        var shared = 0;
        for (var at = 0; at + TestImages.Block <= b.Length; at += TestImages.Block)
        {
            var block = b.AsSpan(at, TestImages.Block);
            if (!ZeroBlock.IsZero(block) && blocks.Contains(Fingerprint.Compute(block))) shared++;
        }
        return shared;
    }

    [Theory]
    [InlineData(ChunkingStrategy.Fixed)]
    [InlineData(ChunkingStrategy.Adaptive)]
    public async Task Collection_compacts_partly_dead_packs_and_the_remaining_image_still_restores(ChunkingStrategy strategy)
    {
        // B shares a third of A's files (same offsets, so fixed blocks match too); the rest of each is its own
        var library = TestImages.Library(seed: 1000 + (int)strategy, files: 24);
        var a = TestImages.Disk(seed: 1010 + (int)strategy, 2 * Grid.SegmentSize + 5000, zeroShare: 0.05, repeatShare: 0, library: library, libraryShare: 0.4);
        var b = TestImages.Disk(seed: 1020 + (int)strategy, 2 * Grid.SegmentSize + 9000, zeroShare: 0.05, repeatShare: 0, library: library, libraryShare: 0.4);
        var names = (A: $"gc-a-{strategy}", B: $"gc-b-{strategy}");
        await Grid.IngestOk(names.A, TestImages.Write(fixture.Temp.File(names.A + ".img"), a), strategy);
        var bInfo = await Grid.IngestOk(names.B, TestImages.Write(fixture.Temp.File(names.B + ".img"), b), strategy);
        // Every non-zero block B shares with A is a duplicate (B's own repeats may add more, depending on which of its
        // parallel segments meets a block first).
        var shared = SharedBlocks(a, b);
        Assert.True(shared > 32, $"the images share only {shared} blocks: no test of partly dead packs");
        Assert.True(bInfo.Stats.DuplicateBytes >= shared * TestImages.Block, $"B shares {shared} blocks with A: {bInfo.Stats}");
        await Grid.Collect(); // nothing of the images' is dead yet: a starting point

        Assert.True(await Grid.Image(names.A).Delete());
        var gc = await Grid.Collect();
        Assert.True(gc.PacksCompacted > 0, $"no pack was compacted: {gc}");
        Assert.True(gc.BytesAfter < gc.BytesBefore * 0.8, $"{gc}");
        await Grid.VerifyOk();

        // B is read back from the relocated chunks, through both silos
        for (var silo = 0; silo < 2; silo++)
        {
            var output = fixture.Temp.File($"{names.B}.{silo}.restored");
            await Grid.Restore(names.B, output, silo);
            TestImages.AssertSameBytes(b, output);
        }

        var report = await Grid.Service<StoreStatistics>(1).Collect();
        Assert.Contains(report.Images, i => i.Name == names.B);
        Assert.DoesNotContain(report.Images, i => i.Name == names.A);
        Assert.Equal(Grid.Store.TotalBytes(), report.PackBytes);
        Assert.InRange(report.LiveChunkBytes, 1, report.PackBytes);
        Assert.Equal(Grid.ShardCount, report.Shards.Length);

        Assert.True(await Grid.Image(names.B).Delete());
        await Grid.Collect();
        Assert.Equal(0, Grid.Store.TotalBytes());
        await Grid.VerifyOk();
    }
}
