using System.Text.Json;
using OrleansDedup.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>Two clients ingest overlapping images at the same time, each through a different silo's gateway.</summary>
public sealed class ConcurrentClientsTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const long Size = 96L << 20;

    [Fact]
    public async Task Two_clients_through_different_gateways_ingest_overlapping_images_and_references_stay_exact()
    {
        var silos = cluster.Silos;
        var a = cluster.WriteImage("overlap-a.raw", Size, seed: 31);
        var b = cluster.WriteImage("overlap-b.raw", Size, seed: 31, variant: 7, changed: 0.10); // 90 % the same blocks

        // Both CLIs at once, each with its own gateway. Which silos ran their segments: each counts those it processed
        // in its own metrics (the class's other test ingests on this cluster too, hence the difference).
        var before = new Dictionary<string, double>();
        foreach (var silo in silos) before[silo.Name] = await silo.SegmentsProcessedAsync();
        var results = await Task.WhenAll(cluster.Cli(silos[0], "ingest", a, "--name", "a"), cluster.Cli(silos[1], "ingest", b, "--name", "b"));
        foreach (var r in results) Assert.True(r.ExitCode == 0, $"an ingest failed:\n{r}\n{cluster.Diagnostics()}");
        var segments = new Dictionary<string, double>();
        foreach (var silo in silos) segments[silo.Name] = await silo.SegmentsProcessedAsync() - before[silo.Name];
        output.WriteLine("segments per silo: " + string.Join(", ", segments.Select(w => $"{w.Key}={w.Value}")));
        Assert.Equal(2 * Size / ClusterFixture.SegmentSize, segments.Values.Sum());

        var imageA = results[0].Json[0];
        var imageB = results[1].Json[0];
        Assert.Equal(Size, imageA.GetProperty("size").GetInt64());
        Assert.Equal(Size, imageB.GetProperty("size").GetInt64());
        var stats = await cluster.Stats(silos[2]);
        var overall = stats.GetProperty("overall");
        output.WriteLine($"overall: {overall}");
        Assert.Equal(2, overall.GetProperty("imageCount").GetInt32());
        var liveBoth = overall.GetProperty("liveChunkBytes").GetInt64();
        // The CLI's per-silo summary is the HTTP API's.
        using (var api = System.Text.Json.JsonDocument.Parse(await silos[2].Http.GetStringAsync("/api/stats")))
        {
            Assert.True(System.Text.Json.JsonElement.DeepEquals(api.RootElement.GetProperty("silos"), stats.GetProperty("silos")),
                $"the API's silos {api.RootElement.GetProperty("silos")}, the CLI's {stats.GetProperty("silos")}");
        }

        Assert.Equal(stats.GetProperty("shardCount").GetInt32(), stats.GetProperty("silos").EnumerateArray().Sum(s => s.GetProperty("shards").GetInt32()));

        // verify re-reads every chunk and recounts every reference exactly.
        var report = await cluster.VerifyOk(silos[2]);
        Assert.Equal(2, report.GetProperty("images").GetInt32());
        await cluster.RestoreIdentical(silos[1], "a", a);
        await cluster.RestoreIdentical(silos[0], "b", b);

        // Exact liveness, seen from the other side: dropping one image leaves the other whole, dropping both and
        // collecting leaves nothing (a chunk kept too long would stay in a pack, one swept too soon would lose b's).
        await cluster.CliOk(silos[1], "delete", "a");
        await cluster.CliOk(silos[2], "gc");
        await cluster.VerifyOk(silos[0]);
        await cluster.RestoreIdentical(silos[2], "b", b);

        // The overlap was found: with b alone left, the index holds about one image's data; both images together
        // held little more (ingested one after the other about 1.1 x, with no overlap found 2 x). Which ingest stored
        // a shared chunk first depends on timing, so each image's own stored bytes are no measure of it.
        var liveB = (await cluster.Stats(silos[2])).GetProperty("overall").GetProperty("liveChunkBytes").GetInt64();
        output.WriteLine($"live chunk bytes: both {liveBoth}, b alone {liveB}, ratio {(double)liveBoth / liveB:F2}");
        Assert.True(liveBoth < 1.4 * liveB,
            $"the overlapping images were not deduplicated against each other: live {liveBoth} with both, {liveB} with b alone; a {imageA}, b {imageB}");
        await cluster.CliOk(silos[0], "delete", "b");
        var gc = (await cluster.CliOk(silos[1], "gc")).Json;
        output.WriteLine($"gc: {gc}");
        Assert.False(gc.GetProperty("sweepSkipped").GetBoolean());
        Assert.True(gc.GetProperty("entriesSwept").GetInt32() > 0, "deleting the last image left its index entries to no sweep");
        var empty = await cluster.Stats(silos[0]);
        Assert.True(cluster.PackFileBytes() == 0, $"pack files left: {string.Join(", ", cluster.PackFiles())}");
        Assert.All(empty.GetProperty("shards").EnumerateArray(), s =>
        {
            Assert.Equal(0, s.GetProperty("chunks").GetInt64());
            Assert.Equal(0, s.GetProperty("aliases").GetInt64());
        });

        Assert.True(segments.Count(w => w.Value > 0) > 1,
            "segments were processed on one silo only: " + string.Join(", ", segments.Select(w => $"{w.Key}={w.Value}")));
    }

    /// <summary>The index shards are spread over the silos, as `stats` shows (issue: "show it: per-silo counts").</summary>
    [Fact]
    public async Task Index_shards_are_spread_over_more_than_one_silo()
    {
        var silos = cluster.Silos;
        var path = cluster.WriteImage("spread.raw", 16L << 20, seed: 41);
        await cluster.IngestOk(silos[2], path, "spread");
        JsonElement stats;
        try
        {
            stats = await cluster.Stats(silos[0]);
        }
        finally
        {
            await cluster.CliOk(silos[1], "delete", "spread");
        }
        var perSilo = stats.GetProperty("shards").EnumerateArray().GroupBy(s => s.GetProperty("silo").GetString()!)
            .ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine("shards per silo: " + string.Join(", ", perSilo.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(16, perSilo.Values.Sum());
        Assert.True(perSilo.Count > 1, $"all {perSilo.Values.Sum()} index shards are on one silo: " +
                                       string.Join(", ", perSilo.Select(p => $"{p.Key}={p.Value}")));
    }
}
