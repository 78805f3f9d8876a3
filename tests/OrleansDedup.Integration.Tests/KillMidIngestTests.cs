using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrleansDedup.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>
/// kill -9 of a silo in the middle of a large, multi-segment ingest: the ingest completes on the survivors or fails
/// with a clear error and can be retried to completion; afterwards verify passes, the image restores byte-identical,
/// and deleting everything plus gc leaves an empty store and no orphan rows in PostgreSQL.
/// </summary>
/// <remarks>
/// Two variants, each on its own cluster: the victim is the silo holding most index shards (losing shards mid-ingest
/// is the hard case), or the one holding fewest (it only runs segments, which the image grain retries elsewhere).
/// The ingest runs through another silo's gateway. Problems that do not stop the scenario (an unclear error, a hang
/// that a cancel clears) are collected and reported at the end, so that one run checks everything it can.
/// </remarks>
public abstract class KillMidIngestScenario(ClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>Kill the silo with most index shards (else the one with fewest).</summary>
    protected abstract bool KillShardHolder { get; }

    private const long BigSize = 160L << 20; // 20 segments of 8 MiB
    private const int MaxTries = 3;

    /// <summary>An ingest of 160 MiB takes 2-5 s here; a try that has not ended after this is hung.</summary>
    private static readonly TimeSpan TryLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Kill9_of_a_silo_mid_ingest_then_retry_verify_restore_and_delete_leaves_nothing()
    {
        var silos = cluster.Silos;
        Assert.Equal(3, silos.Count);
        var problems = new List<string>();

        var warm = cluster.WriteImage("warm.raw", 16L << 20, seed: 5);
        await cluster.IngestOk(silos[0], warm, "warm");
        var shards = (await cluster.Stats(silos[0])).GetProperty("shards").EnumerateArray()
            .GroupBy(s => s.GetProperty("silo").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"shards per silo: {string.Join(", ", shards.Select(s => $"{s.Key}={s.Value}"))}");
        var byShardCount = silos.OrderBy(s => shards.GetValueOrDefault(s.Name)).ToArray();
        var victim = KillShardHolder ? byShardCount[^1] : byShardCount[0];
        var gateway = silos.First(s => s != victim);
        var survivors = silos.Where(s => s != victim).ToArray();

        var big = cluster.WriteImage("big.raw", BigSize, seed: 11);
        var ingest = cluster.CliWithin(gateway, TryLimit, "ingest", big, "--name", "big");

        // As soon as the ingest has done some bytes, kill -9 the victim.
        var clock = Stopwatch.StartNew();
        var bytesDone = await cluster.WaitForIngestProgress(gateway, "big", ingest);
        await victim.KillAsync();
        output.WriteLine($"killed {victim} at {bytesDone} of {BigSize} bytes, {clock.Elapsed.TotalSeconds:0.00} s after the start; gateway {gateway.Name}");

        var result = await ingest;
        output.WriteLine($"try 1: {result}");
        var tries = 1;
        while (result.ExitCode != 0)
        {
            if (!result.TimedOut && Clear.CliErrorProblem(result) is { } unclear)
                problems.Add($"try {tries} did not fail clearly (exit {result.ExitCode}): {unclear.Split('\n')[0]} ... {result.Error.Split('\n').Length} lines on stderr");
            var status = await IngestStatus(survivors[0]);
            output.WriteLine($"grid status after try {tries}: {status}");
            if (result.TimedOut)
            {
                problems.Add($"try {tries} neither succeeded nor failed within {TryLimit.TotalSeconds:0} s (the CLI still waited); " +
                             $"the grid said: {status}");
                if (status.GetProperty("state").GetString() == "running") status = await CancelHungIngest(survivors[0], problems);
            }
            if (status.GetProperty("error").GetString() is { } error)
            {
                Assert.DoesNotContain('\n', error);
                Clear.AssertNoStackTrace(error);
            }
            else if (status.GetProperty("state").GetString() is "idle")
            {
                problems.Add($"after try {tries} the grid reports the ingest as 'idle' with no error (its image grain was lost with the silo): {status}");
            }

            Assert.True(tries < MaxTries, $"the ingest did not succeed in {MaxTries} tries:\n{result}\nproblems so far:\n{string.Join("\n", problems)}\n{cluster.Diagnostics()}");
            await cluster.WaitForStatusAsync(victim, ClusterFixture.StatusDead, TimeSpan.FromSeconds(60));
            tries++;
            result = await cluster.CliWithin(survivors[(tries - 1) % survivors.Length], TryLimit, "ingest", big, "--name", "big");
            output.WriteLine($"try {tries}: {result}");
        }
        var image = result.Json[0];
        Assert.Equal("big", image.GetProperty("name").GetString());
        Assert.Equal(BigSize, image.GetProperty("size").GetInt64());
        Assert.Equal(20, image.GetProperty("segments").GetInt32());
        output.WriteLine($"ingest succeeded after {tries} tries");

        // verify recounts every reference; both images come back byte-identical through survivors.
        var report = await cluster.VerifyOk(survivors[0]);
        Assert.Equal(2, report.GetProperty("images").GetInt32());
        await cluster.RestoreIdentical(survivors[1], "big", big);
        await cluster.RestoreIdentical(survivors[0], "warm", warm);

        // Delete everything; once every dead ingest's heartbeat has expired, gc leaves nothing behind.
        await cluster.DeleteAllAndAssertNothingLeft(survivors, output, "big", "warm");

        // Last, what went wrong on the way (reported here so that the rest of the scenario still ran).
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The grid's ingest status. Until the dead silo is declared dead a call to a grain it hosted may fail
    /// (500, one line); that is retried for a while.</summary>
    private async Task<JsonElement> IngestStatus(SiloNode silo)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await silo.Http.GetAsync("/api/images/big/ingest");
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK) return JsonDocument.Parse(text).RootElement.Clone();
            output.WriteLine($"status: {(int)response.StatusCode} {text}");
            Assert.DoesNotContain("   at ", text);
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"no ingest status within 30 s: {(int)response.StatusCode} {text}");
            await Task.Delay(500);
        }
    }

    /// <summary>Cancels an ingest that hangs and waits up to 15 s for it to stop; fails the test if it will not,
    /// since nothing can be retried while it "runs".</summary>
    private async Task<JsonElement> CancelHungIngest(SiloNode silo, List<string> problems)
    {
        using var cancel = await silo.Http.DeleteAsync("/api/images/big/ingest");
        output.WriteLine($"cancel: {(int)cancel.StatusCode} {await cancel.Content.ReadAsStringAsync()}");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await IngestStatus(silo);
            if (status.GetProperty("state").GetString() != "running") return status;
            if (clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                Assert.Fail($"the ingest still 'runs' 15 s after a cancel ({status}), so it can never be retried:\n" +
                            $"{string.Join("\n", problems)}\n{cluster.Diagnostics()}");
            }

            await Task.Delay(500);
        }
    }
}

/// <summary>kill -9 of the silo holding most index shards, mid-ingest.</summary>
public sealed class KillShardSiloMidIngestTests(ClusterFixture cluster, ITestOutputHelper output)
    : KillMidIngestScenario(cluster, output), IClassFixture<ClusterFixture>
{
    protected override bool KillShardHolder => true;
}

/// <summary>kill -9 of the silo holding fewest index shards (segments only, while shards sit elsewhere), mid-ingest.</summary>
public sealed class KillSegmentSiloMidIngestTests(ClusterFixture cluster, ITestOutputHelper output)
    : KillMidIngestScenario(cluster, output), IClassFixture<ClusterFixture>
{
    protected override bool KillShardHolder => false;
}
