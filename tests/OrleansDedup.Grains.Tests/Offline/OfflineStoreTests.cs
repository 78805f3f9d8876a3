using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Offline;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Offline;

/// <summary>An embedded store read from its files, without a silo, answers as the grid does; its restore pipeline leaves
/// no file behind when it is cancelled; and it keeps off a store another process holds.</summary>
public sealed class OfflineStoreTests(FormatImages images) : IClassFixture<FormatImages>
{
    [Fact]
    public async Task Stats_and_restores_read_from_the_files_match_the_grids()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.GetDirectoryName(temp.File("x"))!);
        var disk = TestImages.Write(temp.File("disk.img"), TestImages.Disk(seed: 5, 6 << 20));
        StoreReport byGrid;
        await using (var grid = await Grid.StartAsync(temp.Data, silos: 1))
        {
            await grid.IngestOk("qcow2", images.Set.PathOf("qcow2-v3"), ChunkingStrategy.Adaptive);
            await grid.IngestOk("disk", disk, ChunkingStrategy.Rabin);
            byGrid = await grid.Service<StoreStatistics>().Collect();
        }

        using var store = OfflineStore.Open(Grid.Options(temp.Data), Grid.ServiceId);
        Assert.NotNull(store);
        var byFiles = await new StoreStatistics(store, store.Chunks, store.Layout).Collect();
        Assert.Equal(byGrid.Images.OrderBy(i => i.Name), byFiles.Images.OrderBy(i => i.Name));
        Assert.Equal(byGrid.Shards.OrderBy(s => s.Shard).Select(s => s with { Silo = "" }), byFiles.Shards.Select(s => s with { Silo = "" }));
        Assert.Equal((byGrid.PackBytes, byGrid.RecipeBytes, byGrid.PackRawBytes), (byFiles.PackBytes, byFiles.RecipeBytes, byFiles.PackRawBytes));

        var restorer = new ImageRestorer(store, store.Chunks, store.Layout);
        await restorer.Restore("qcow2", temp.File("qcow2.restored"));
        TestImages.AssertSameFile(images.Set.PathOf("qcow2-v3"), temp.File("qcow2.restored"));
        await restorer.Restore("disk", temp.File("disk.restored"));
        TestImages.AssertSameFile(disk, temp.File("disk.restored"));
        Assert.Null(await store.GetInfo("nothing"));
    }

    [Fact]
    public async Task A_restore_cancelled_while_its_pieces_are_in_flight_leaves_no_file()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.GetDirectoryName(temp.File("x"))!);
        var disk = TestImages.Write(temp.File("disk.img"), TestImages.Disk(seed: 9, 24 << 20, zeroShare: 0.3));
        await using (var grid = await Grid.StartAsync(temp.Data, silos: 1))
            await grid.IngestOk("disk", disk, ChunkingStrategy.Fixed);

        using var store = OfflineStore.Open(Grid.Options(temp.Data), Grid.ServiceId)!;
        using var cancel = new CancellationTokenSource();
        var written = 0L;
        var output = temp.File("disk.restored");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ImageRestorer(store, store.Chunks, store.Layout)
            .Restore("disk", output, n =>
            {
                written += n;
                cancel.Cancel();
            }, cancel.Token));
        Assert.True(written > 0);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".partial"));

        await new ImageRestorer(store, store.Chunks, store.Layout).Restore("disk", output);
        TestImages.AssertSameFile(disk, output);
    }

    [Fact]
    public async Task A_store_another_process_holds_is_not_opened_and_no_store_is_made_where_there_is_none()
    {
        using var temp = new TempDirectory();
        Assert.Null(OfflineStore.Open(Grid.Options(temp.Data), Grid.ServiceId));
        Assert.False(Directory.Exists(temp.Data));

        await (await Grid.StartAsync(temp.Data, silos: 1)).DisposeAsync();
        using (StoreLock.Shared(temp.Data))
            Assert.Throws<StoreBusyException>(() => OfflineStore.Open(Grid.Options(temp.Data), Grid.ServiceId));
        using var store = OfflineStore.Open(Grid.Options(temp.Data), Grid.ServiceId);
        Assert.NotNull(store);
        Assert.Empty(await store.ImageNames());
    }

    /// <summary>Stats read each shard's summary instead of replaying its journal, but only while the journal is as the
    /// summary saw it at its last clean close.</summary>
    [Fact]
    public async Task A_shard_summary_is_used_only_while_its_journal_is_unchanged()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.GetDirectoryName(temp.File("x"))!);
        var disk = TestImages.Write(temp.File("disk.img"), TestImages.Disk(seed: 7, 4 << 20));
        ShardStats[] byGrid;
        await using (var grid = await Grid.StartAsync(temp.Data, silos: 1))
        {
            await grid.IngestOk("disk", disk, ChunkingStrategy.Adaptive);
            byGrid = (await grid.ShardStats()).OrderBy(s => s.Shard).Select(s => s with { Silo = "" }).ToArray();
        }
        var summary = Path.Combine(temp.Data, "index", "shard-0000.summary");
        var log = Path.Combine(temp.Data, "index", "shard-0000.log");
        var words = File.ReadAllBytes(summary);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(words.AsSpan(4 * sizeof(long)), 999999); // the chunk count
        File.WriteAllBytes(summary, words);

        Assert.Equal(999999, (await ShardStats(temp))[0].Chunks);
        File.SetLastWriteTimeUtc(log, File.GetLastWriteTimeUtc(log).AddSeconds(1));
        Assert.Equal(byGrid, await ShardStats(temp));
    }

    private static async Task<ShardStats[]> ShardStats(TempDirectory temp)
    {
        using var store = OfflineStore.Open(Grid.Options(temp.Data), Grid.ServiceId)!;
        return (await store.ShardStats()).OrderBy(s => s.Shard).Select(s => s with { Silo = "" }).ToArray();
    }
}
