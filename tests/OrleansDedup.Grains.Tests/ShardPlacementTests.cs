using Orleans.Configuration;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Index shards are spread evenly over the silos from their first activation, and a dead silo's shards
/// come back on the survivors.</summary>
public sealed class ShardPlacementTests
{
    [Fact]
    public async Task Shards_spread_evenly_and_a_killed_silos_shards_come_back_on_the_survivors()
    {
        using var temp = new TempDirectory();
        // The killed silo is really gone: its shards need not wait out the directory's lease.
        await using var grid = await Grid.StartAsync(temp.Data, silos: 3, dedup: o => o.ShardRebalanceInterval = TimeSpan.FromMilliseconds(500),
            configure: (_, silo) => silo.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.Zero));

        var first = await ShardsPerSilo(grid);
        Assert.Equal(3, first.Count);
        Assert.InRange(first.Values.Max() - first.Values.Min(), 0, 1);
        var image = TestImages.Random(seed: 5, 2 * Grid.BatchSize);
        await grid.IngestOk("before", TestImages.Write(temp.File("before.img"), image), ChunkingStrategy.Fixed);

        // Not the first silo: the test's client talks through its gateway.
        var victim = grid.Cluster.Silos.Skip(1).MaxBy(s => first[s.Name])!;
        await grid.Cluster.KillSiloAsync(victim);
        var after = await AfterDeathIsDeclared(grid, victim.Name);
        Assert.Equal(2, after.Count);
        Assert.DoesNotContain(victim.Name, after.Keys);
        // The dead silo's shards land where the balanced placement over the survivors puts them; the survivors' own
        // shards follow it on their next checks, so the spread evens out.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); after.Values.Max() - after.Values.Min() > 1; after = await ShardsPerSilo(grid))
        {
            Assert.True(DateTime.UtcNow < deadline, "the survivors' shards are still uneven 30 s after the kill: " +
                string.Join(", ", after.Select(s => $"{s.Key}={s.Value}")));
            await Task.Delay(200);
        }
        // The shards came back with their journals: what was ingested before the kill is all there.
        await grid.VerifyOk();
        await grid.Restore("before", temp.File("before.out"));
        Assert.Equal(image, await File.ReadAllBytesAsync(temp.File("before.out")));
    }

    [Fact]
    public async Task A_silo_that_joins_takes_its_share_of_the_shards_while_an_ingest_runs_and_the_ingest_goes_on()
    {
        using var temp = new TempDirectory();
        var gate = new CallGate();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 2, dedup: o => o.ShardRebalanceInterval = TimeSpan.FromMilliseconds(500),
            configure: (options, silo) => silo.AddOutgoingGrainCallFilter(new HoldSegmentInsert(gate, options.SiloName)));
        var known = TestImages.Random(seed: 1, Grid.BatchSize);
        await grid.IngestOk("known", TestImages.Write(temp.File("known.img"), known), ChunkingStrategy.Fixed);
        var before = await Epochs(grid);

        // The ingest has taken references on the known batch and holds its new batch's Insert while the shards move.
        byte[] image = [.. known, .. TestImages.Random(seed: 2, Grid.BatchSize)];
        gate.Arm();
        await grid.Image("x").StartIngest(new IngestRequest(TestImages.Write(temp.File("x.img"), image), ChunkingStrategy.Fixed));
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        Dictionary<string, int> spread;
        try
        {
            var joined = await grid.Cluster.StartAdditionalSiloAsync();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(spread = await ShardsPerSilo(grid)).TryGetValue(joined.Name, out var held) || held < Grid.ShardCount / 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "the joined silo holds too few shards after 30 s: " +
                    string.Join(", ", spread.Select(s => $"{s.Key}={s.Value}")));
                await Task.Delay(200);
            }
        }
        finally
        {
            gate.Release();
        }

        Assert.Equal(3, spread.Count);
        Assert.InRange(spread.Values.Max() - spread.Values.Min(), 0, 1);
        // A move is no restart: the epochs are those from before, and the ingest whose references span the move ends well.
        Assert.Equal(before, await Epochs(grid));
        var status = await grid.WaitForIngest("x");
        Assert.True(status.State == IngestState.Succeeded, $"{status.State}: {status.Error}");
        await grid.Restore("x", temp.File("x.out"));
        Assert.Equal(image, await File.ReadAllBytesAsync(temp.File("x.out")));
        await grid.VerifyOk();
    }

    [Fact]
    public async Task A_silo_that_shuts_down_hands_its_shards_over_with_their_epochs()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 3);
        await grid.IngestOk("a", TestImages.Write(temp.File("a.img"), TestImages.Random(seed: 3, 2 * Grid.BatchSize)), ChunkingStrategy.Fixed);
        var before = await Epochs(grid);
        var first = await ShardsPerSilo(grid);

        var leaving = grid.Cluster.Silos.Skip(1).MaxBy(s => first[s.Name])!;
        await grid.Cluster.StopSiloAsync(leaving);

        var after = await ShardsPerSilo(grid);
        Assert.DoesNotContain(leaving.Name, after.Keys);
        Assert.Equal(before, await Epochs(grid));
        await grid.VerifyOk();
    }

    private static Task<Guid[]> Epochs(Grid grid) =>
        Task.WhenAll(Enumerable.Range(0, Grid.ShardCount).Select(s => grid.Client.GetGrain<IFingerprintIndexGrain>(s).GetEpoch()));

    private static async Task<Dictionary<string, int>> AfterDeathIsDeclared(Grid grid, string victim)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var shards = await ShardsPerSilo(grid);
                if (!shards.ContainsKey(victim)) return shards;
                Assert.True(DateTime.UtcNow < deadline, $"{victim} still holds shards a minute after it was killed");
            }
            catch (Exception e) when (e is OrleansException or TimeoutException && DateTime.UtcNow < deadline)
            {
            }
            await Task.Delay(200);
        }
    }

    private static async Task<Dictionary<string, int>> ShardsPerSilo(Grid grid)
    {
        var stats = await Task.WhenAll(Enumerable.Range(0, Grid.ShardCount)
            .Select(s => grid.Client.GetGrain<IFingerprintIndexGrain>(s).GetStats()));
        return stats.GroupBy(s => s.Silo).ToDictionary(g => g.Key, g => g.Count());
    }
}
