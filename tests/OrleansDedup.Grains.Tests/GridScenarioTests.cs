using OrleansDedup.Abstractions.Migration;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Migration;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Migration.Scenario;

namespace OrleansDedup.Grains.Tests;

/// <summary>A load-balancing scenario on a three-silo test cluster: silo i models host i, the balancer's migrations
/// move real chunks between the host grains, and a fresh cluster with the same seed reproduces every figure.</summary>
public sealed class GridScenarioTests : IDisposable
{
    private const short Silos = 3;

    private readonly TempDirectory _temp = new("odscen");

    public void Dispose() => _temp.Dispose();

    /// <summary>Small enough for a test, with a seed for which the balancer migrates VMs (overloads and consolidation).</summary>
    private static ScenarioSpec Spec(int seed) => ScenarioSpec.Parse($$"""
        seed: {{seed}}
        hosts: {{Silos}}
        vms: 5
        steps: 24
        safetyParameter: 4
        minHistory: 4
        trace: { mean: 0.6, spread: 0.3, phi: 0.5, noise: 0.3 }
        """, "grid.yaml");

    /// <summary>A fresh cluster on a fresh data directory: silo i claims host i; two family images are ingested.</summary>
    private async Task<(IReadOnlyList<VmMigrationReport> Reports, string[] HostSilos, string[] Silos)> RunOnFreshCluster(string name, int seed)
    {
        var claimed = 0;
        await using var grid = await Grid.StartAsync(_temp.File(name), Silos,
            (_, silo) => silo.AddDedupMigration([GridScenario.HostName(Interlocked.Increment(ref claimed) - 1)]));
        var images = new List<string>();
        for (var family = 0; family < 2; family++)
        {
            var bytes = TestImages.Disk(seed: 100 + family, size: 1 << 20, zeroShare: 0.2, repeatShare: 0.2);
            await grid.IngestOk($"family-{family}", TestImages.Write(_temp.File($"{name}-family-{family}.raw"), bytes), ChunkingStrategy.Fixed);
            images.Add($"family-{family}");
        }
        var reports = await GridScenario.Run(grid.Client, Spec(seed), images);
        var hostSilos = await Task.WhenAll(Enumerable.Range(0, Silos).Select(h => grid.Client.GetGrain<IHostGrain>(GridScenario.HostName(h)).GetSilo()));
        return (reports, hostSilos, grid.Cluster.Silos.Select(s => s.Name).ToArray());
    }

    [Fact]
    public async Task EachHostRunsOnItsOwnSiloAndTheSameSeedGivesTheSameResults()
    {
        const int seed = 3;
        var first = await RunOnFreshCluster("first", seed);
        Assert.Equal(first.Silos.Order(), first.HostSilos.Order());

        var expected = ScenarioRunner.Balance(Spec(seed), ScenarioRunner.Traces(Spec(seed))).Migrations;
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(m => ($"vm-{m.Vm}", GridScenario.HostName(m.Source), GridScenario.HostName(m.Destination))),
            first.Reports.Select(r => (r.Vm, r.Source, r.Destination)));
        Assert.Contains(first.Reports, r => r.Disk.ChunkBytes > 0);

        var second = await RunOnFreshCluster("second", seed);
        Assert.Equal(second.Silos.Order(), second.HostSilos.Order());
        Assert.Equal(first.Reports, second.Reports);
    }
}
