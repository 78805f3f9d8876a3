using System.Net;
using OrleansDedup.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>A fourth silo joins a running cluster and takes work, segments and its share of the index shards, with no
/// restart of the others; a silo removed gracefully (SIGTERM) while the cluster is idle loses nothing.</summary>
public sealed class ScaleOutTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const long Size = 64L << 20;

    [Fact]
    public async Task Fourth_silo_joins_and_takes_work_then_graceful_removal_loses_nothing()
    {
        var original = cluster.Silos.ToArray();
        var pids = original.Select(s => s.Pid).ToArray();
        var images = new Dictionary<string, string>
        {
            ["base"] = cluster.WriteImage("base.raw", Size, seed: 51),
            ["v1"] = cluster.WriteImage("v1.raw", Size, seed: 51, variant: 1),
        };
        await cluster.IngestOk(original[0], images["base"], "base");
        await cluster.IngestOk(original[1], images["v1"], "v1");

        // Join.
        var fourth = (await cluster.StartSilosAsync(1))[0];
        await cluster.WaitForActiveMembersAsync(4, TimeSpan.FromSeconds(60));
        var health = await fourth.HealthAsync();
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("silo-4", health.GetProperty("silo").GetString());
        Assert.Equal(cluster.ClusterId, health.GetProperty("clusterId").GetString());
        // Nobody else restarted.
        Assert.Equal(pids, original.Select(s => s.Pid).ToArray());
        Assert.All(original, s => Assert.False(s.HasExited, $"{s} exited"));

        // New work lands on it, with no restart: new images go in through the gateways in turn (the new silo's first)
        // until the new silo's own metrics count a segment it processed.
        var gateways = new[] { fourth, original[0], original[1], original[2] };
        double ranOnFourth = 0;
        for (var n = 0; n < gateways.Length && ranOnFourth == 0; n++)
        {
            var name = $"new{n}";
            images[name] = cluster.WriteImage($"{name}.raw", 48L << 20, seed: 60 + n);
            var r = await cluster.Cli(gateways[n], "ingest", images[name], "--name", name);
            Assert.True(r.ExitCode == 0, $"ingest failed:\n{r}\n{cluster.Diagnostics()}");
            ranOnFourth = await fourth.SegmentsProcessedAsync();
            output.WriteLine($"{name} through {gateways[n].Name}: silo-4 has processed {ranOnFourth} segments");
        }
        Assert.True(ranOnFourth > 0, $"the new silo ran no segment of {gateways.Length} new ingests");
        // Its share of the index shards moves to it too (each shard checks its placement every 2 s here).
        var shardSilos = await ShardSilos(fourth);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); shardSilos.Count(s => s == fourth.Name) < 16 / 4; shardSilos = await ShardSilos(fourth))
        {
            Assert.True(DateTime.UtcNow < deadline, "silo-4 holds too few index shards 30 s after it joined: " + Spread(shardSilos));
            await Task.Delay(500);
        }
        output.WriteLine("shards per silo after the join: " + Spread(shardSilos));
        Assert.All(shardSilos.GroupBy(s => s), g => Assert.Equal(16 / 4, g.Count()));
        // They came by hand-over (journal flushed, epoch kept), as its metrics count, not by a restart.
        Assert.True(await fourth.MetricAsync("orleans_dedup_index_shard_moves_total") >= 16 / 4);

        // Graceful removal of the silo with most index shards, while idle.
        var leaving = original.OrderByDescending(s => shardSilos.Count(n => n == s.Name)).First();
        var exit = await leaving.StopAsync();
        Assert.True(exit == 0, $"{leaving} exited {exit} on SIGTERM:\n{leaving.Tail}");
        await cluster.WaitForActiveMembersAsync(3, TimeSpan.FromSeconds(60));
        var remaining = cluster.Silos;
        Assert.Equal(3, remaining.Count);
        Assert.Contains(fourth, remaining);

        // Nothing lost: every image restores byte-identical through the remaining silos, and verify passes.
        var k = 0;
        foreach (var (name, path) in images) await cluster.RestoreIdentical(remaining[k++ % remaining.Count], name, path);
        var report = await cluster.VerifyOk(remaining[0]);
        Assert.Equal(images.Count, report.GetProperty("images").GetInt32());
        // The content endpoint of the new silo serves them too.
        using (var content = await fourth.Http.GetAsync("/api/images/v1/content", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            var restored = Path.Combine(cluster.OutputDirectory, "v1.http");
            await using (var file = File.Create(restored)) await content.Content.CopyToAsync(file);
            DiskImages.AssertIdentical(images["v1"], restored);
        }

        // The shards that lived on the removed silo now live on the others (which ones is the placement's business: see
        // ShardPlacementTests).
        var after = await ShardSilos(remaining[1]);
        output.WriteLine("shards per silo after the removal: " + Spread(after));
        Assert.Equal(16, after.Length);
        Assert.DoesNotContain(leaving.Name, after);
        Assert.All(after, silo => Assert.Contains(silo, remaining.Select(r => r.Name)));
    }

    /// <summary>The silo of each index shard, in shard order, as `stats` reports it.</summary>
    private async Task<string[]> ShardSilos(SiloNode gateway) =>
        (await cluster.Stats(gateway)).GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("silo").GetString()!).ToArray();

    private static string Spread(string[] shardSilos) =>
        string.Join(", ", shardSilos.GroupBy(s => s).Select(g => $"{g.Key}={g.Count()}"));
}
