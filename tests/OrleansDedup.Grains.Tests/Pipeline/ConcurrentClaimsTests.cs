using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Storage.Packs;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests.Pipeline;

/// <summary>Eight images that share most of their content, ingested at once, on one silo (as embedded) and on three: each
/// new chunk is written once, so the packs hold next to nothing that gc could reclaim; and the reference counts are exact,
/// so deleting every image and collecting leaves an empty store.</summary>
public sealed class ConcurrentClaimsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, ChunkingStrategy.Adaptive)]
    [InlineData(3, ChunkingStrategy.Adaptive)]
    [InlineData(1, ChunkingStrategy.Fixed)]
    [InlineData(3, ChunkingStrategy.Fixed)]
    [InlineData(3, ChunkingStrategy.Rabin)]
    public async Task Eight_similar_images_ingested_at_once_store_each_new_chunk_once(short silos, ChunkingStrategy strategy)
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos);
        var original = TestImages.Disk(seed: 1300, 3 * Grid.SegmentSize + 12_345, zeroShare: 0.1, repeatShare: 0.05);
        var images = Enumerable.Range(0, 8).Select(i => TestImages.Variant(original, seed: 1310 + i, changes: 6)).ToArray();
        var names = Enumerable.Range(0, 8).Select(i => $"similar-{i}").ToArray();
        var paths = names.Select((n, i) => TestImages.Write(temp.File(n + ".img"), images[i])).ToArray();

        var started = await Task.WhenAll(names.Select((n, i) => grid.Image(n).StartIngest(new IngestRequest(paths[i], strategy))));
        Assert.All(started, s => Assert.Equal(IngestState.Running, s.State));
        var finished = await Task.WhenAll(names.Select(n => grid.WaitForIngest(n)));
        Assert.All(finished, s => Assert.True(s.State == IngestState.Succeeded, $"{s.State}: {s.Error}"));

        // What the packs hold beyond the chunks the index points at was written twice (or for nothing); counted in raw
        // bytes, since frames are compressed.
        var packs = grid.Store.ListPacks();
        var packBytes = packs.Sum(p => PackScanner.Frames(grid.Store.PackPath(p.Id)).Sum(f => (long)f.RawLength));
        var liveRecords = (await grid.Service<IndexRouter>().ListAll().Where(e => e.Pieces is null).ToListAsync())
            .Sum(e => (long)e.Location.Length);
        var dead = packBytes - liveRecords;
        output.WriteLine($"{strategy} on {silos} silo(s): {packBytes} raw pack bytes in {packs.Count} packs, {liveRecords} in live chunks, {dead} dead");
        await grid.VerifyOk();

        var gc = await grid.Collect();
        output.WriteLine($"gc: {gc}");
        Assert.True(gc.BytesBefore - gc.BytesAfter <= gc.BytesAfter / 100, $"gc reclaimed more than 1 %: {gc}");
        // gc leaves packs that are mostly live alone, so the dead bytes are counted too.
        Assert.True(dead <= packBytes / 100, $"{dead} of {packBytes} pack bytes are dead after the concurrent ingests");

        var restored = temp.File("similar-5.restored");
        await grid.Restore(names[5], restored, silo: silos - 1);
        TestImages.AssertSameBytes(images[5], restored);

        Assert.All(await Task.WhenAll(names.Select(n => grid.Image(n).Delete())), Assert.True);
        await grid.Collect();
        Assert.Equal(0, grid.Store.TotalBytes());
        Assert.All(await grid.ShardStats(), s => Assert.Equal(0, s.Chunks + s.Aliases));
        await grid.VerifyOk();
    }
}
