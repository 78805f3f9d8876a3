using OrleansDedup.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>
/// kill -9 of a silo while two clients ingest overlapping images, so that segments on the dead silo die holding claims
/// on new chunks the other ingest meets: each ingest completes or fails clearly, the retries (again both at once) take
/// those claims over without waiting out their lease, verify passes, both images restore byte-identical, and deleting
/// them plus gc leaves an empty store.
/// </summary>
public sealed class ConcurrentKillTests(LongClaimLeaseCluster cluster, ITestOutputHelper output) : IClassFixture<LongClaimLeaseCluster>
{
    private const long Size = 64L << 20; // 8 segments of 8 MiB
    private const int MaxTries = 3;

    /// <summary>Two ingests of 64 MiB at once take a few seconds here (more on a busy machine); one that waited out a dead
    /// owner's claims would take the lease, ten minutes.</summary>
    private static readonly TimeSpan TryLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill9_during_concurrent_ingests_of_overlapping_images_loses_nothing_and_leaves_nothing()
    {
        var silos = cluster.Silos;
        Assert.Equal(3, silos.Count);
        var (gatewayA, gatewayB, victim) = (silos[0], silos[1], silos[2]);
        var images = new Dictionary<string, (string Path, SiloNode Gateway)>
        {
            ["a"] = (cluster.WriteImage("kill-a.raw", Size, seed: 51), gatewayA),
            ["b"] = (cluster.WriteImage("kill-b.raw", Size, seed: 51, variant: 9, changed: 0.10), gatewayB),
        };

        // Both ingests run through gateways that survive, so their image grains do; their segments spread over all three.
        var tries = images.ToDictionary(i => i.Key, i => Ingest(i.Value.Gateway, i.Value.Path, i.Key));
        await Task.WhenAll(images.Select(i => cluster.WaitForIngestProgress(i.Value.Gateway, i.Key, tries[i.Key])));
        await victim.KillAsync();
        output.WriteLine($"killed {victim}");

        var pending = images.Keys.ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var results = await Task.WhenAll(pending.Select(name => tries[name]));
            var failed = new List<string>();
            foreach (var (name, result) in pending.Zip(results))
            {
                output.WriteLine($"{name}, try {attempt}: {result}");
                Assert.False(result.TimedOut, $"the ingest of {name} neither succeeded nor failed within {TryLimit.TotalSeconds:0} s:\n{result}\n{cluster.Diagnostics()}");
                if (result.ExitCode == 0) continue;
                Assert.True(result.ExitCode == 8, $"the ingest of {name} failed, and not as interrupted (exit 8):\n{result}");
                Assert.Null(Clear.CliErrorProblem(result));
                failed.Add(name);
            }
            Assert.True(failed.Count == 0 || attempt < MaxTries, $"{string.Join(", ", failed)} did not succeed in {MaxTries} tries");
            if (failed.Count > 0) await cluster.WaitForStatusAsync(victim, ClusterFixture.StatusDead, TimeSpan.FromSeconds(60));
            foreach (var name in failed) tries[name] = Ingest(images[name].Gateway, images[name].Path, name);
            pending = failed;
        }

        var report = await cluster.VerifyOk(gatewayA);
        Assert.Equal(2, report.GetProperty("images").GetInt32());
        await cluster.RestoreIdentical(gatewayB, "a", images["a"].Path);
        await cluster.RestoreIdentical(gatewayA, "b", images["b"].Path);

        // Delete both; once the dead attempts' heartbeats have expired, gc leaves nothing behind.
        await cluster.DeleteAllAndAssertNothingLeft([gatewayA, gatewayB], output, "a", "b");
        await cluster.VerifyOk(gatewayB);
    }

    private Task<CliResult> Ingest(SiloNode gateway, string path, string name) =>
        cluster.CliWithin(gateway, TryLimit, "ingest", path, "--name", name);
}

/// <summary>A cluster whose claims outlast any test: only the death of their owner's silo passes them on.</summary>
public sealed class LongClaimLeaseCluster : ClusterFixture
{
    public override Dictionary<string, string> Environment(string siloName)
    {
        var environment = base.Environment(siloName);
        environment["OrleansDedup__ClaimTimeoutSeconds"] = "600";
        return environment;
    }
}
