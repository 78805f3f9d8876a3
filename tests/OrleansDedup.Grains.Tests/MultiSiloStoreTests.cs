using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Tests;

/// <summary>
/// Silos share the data directory. The garbage collector runs on one silo; a pack another silo is writing must survive it,
/// and a silo must never read a deleted pack through a handle it cached before the collector deleted it.
/// </summary>
public sealed class MultiSiloStoreTests
{
    [Fact]
    public async Task Collection_leaves_a_pack_being_written_on_another_silo_alone()
    {
        using var temp = new TempDirectory();
        var gate = new CallGate();
        var collector = new SiloRecorder<IGarbageCollectorGrain>();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 2, configure: (options, silo) => silo
            .AddOutgoingGrainCallFilter(new HoldSegmentInsert(gate, options.SiloName))
            .AddIncomingGrainCallFilter(collector.Filter(options.SiloName)));
        var image = TestImages.Random(seed: 4, 300 * 1024);

        gate.Arm();
        await grid.Image("x").StartIngest(new IngestRequest(TestImages.Write(temp.File("x.img"), image), ChunkingStrategy.Fixed));
        var writer = await gate.Reached; // the segment's new chunks are in its pack, flushed; the index does not know them yet
        var otherSilo = grid.Cluster.Silos.Single(s => s.Name != writer);
        var pack = Assert.Single(grid.Store.ListPacks());
        try
        {
            // collect wherever the collector lands first, then on the silo that is not writing the pack
            var gc = grid.Client.GetGrain<IGarbageCollectorGrain>(0);
            await gc.Collect();
            // (migrating an activation to the silo it is already on would never complete)
            if (collector.Last != otherSilo.Name) await grid.Cluster.MigrateAsync(gc, otherSilo.SiloAddress);
            await gc.Collect();
            Assert.Equal(otherSilo.Name, collector.Last);
            Assert.True(File.Exists(grid.Store.PackPath(pack.Id)), $"pack {pack.Id}, being written on {writer}, was deleted by a collection on {otherSilo.Name}");
        }
        finally
        {
            gate.Release();
        }

        Assert.Equal(IngestState.Succeeded, (await grid.WaitForIngest("x")).State);
        await grid.VerifyOk();
        await grid.Restore("x", temp.File("x.restored"));
        TestImages.AssertSameBytes(image, temp.File("x.restored"));
    }

    [Fact]
    public async Task Silo_never_reads_a_deleted_pack_through_a_cached_handle()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 2);
        var collectorSilo = grid.Service<ChunkStore>(0);
        var otherSilo = grid.Service<ChunkStore>(1);
        byte[] first = TestImages.Random(seed: 6, 4096), second = TestImages.Random(seed: 7, 4096);

        // silo 0 writes a pack; silo 1 reads from it (a restore or a verify there)
        ChunkLocation firstAt;
        using (var writer = collectorSilo.CreateWriter())
        {
            var chunk = writer.Append(Fingerprint.Compute(first), first);
            writer.Flush();
            firstAt = writer.LocationOf(chunk);
        }
        otherSilo.Read(firstAt, new byte[4096]);
        // the images go away and the collector, on silo 0, deletes the pack; a later ingest writes on silo 1
        collectorSilo.DeletePack(firstAt.Pack);
        ChunkLocation secondAt;
        using (var writer = otherSilo.CreateWriter())
        {
            var chunk = writer.Append(Fingerprint.Compute(second), second);
            writer.Flush();
            secondAt = writer.LocationOf(chunk);
        }

        var read = new byte[4096];
        otherSilo.Read(secondAt, read);
        Assert.True(read.AsSpan().SequenceEqual(second), $"silo 1 read pack {secondAt.Pack} through a handle on the deleted pack {firstAt.Pack}");
    }

    [Fact]
    public void Store_in_another_process_never_reads_a_deleted_pack_through_a_cached_handle()
    {
        using var temp = new TempDirectory();
        // two ChunkStore instances on one directory: what two silo processes sharing the data directory have
        using var collectorProcess = new ChunkStore(temp.Data);
        using var otherProcess = new ChunkStore(temp.Data);
        byte[] first = TestImages.Random(seed: 6, 4096), second = TestImages.Random(seed: 7, 4096);

        ChunkLocation firstAt;
        using (var writer = collectorProcess.CreateWriter())
        {
            var chunk = writer.Append(Fingerprint.Compute(first), first);
            writer.Flush();
            firstAt = writer.LocationOf(chunk);
        }
        otherProcess.Read(firstAt, new byte[4096]);
        collectorProcess.DeletePack(firstAt.Pack);
        ChunkLocation secondAt;
        using (var writer = otherProcess.CreateWriter())
        {
            var chunk = writer.Append(Fingerprint.Compute(second), second);
            writer.Flush();
            secondAt = writer.LocationOf(chunk);
        }

        var read = new byte[4096];
        otherProcess.Read(secondAt, read);
        Assert.True(read.AsSpan().SequenceEqual(second), $"pack id {secondAt.Pack} was reused and read through a handle on the deleted pack {firstAt.Pack}");
    }
}
