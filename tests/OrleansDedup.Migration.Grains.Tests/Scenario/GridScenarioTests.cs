using OrleansDedup.Chunking;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Grains.Scenario;
using OrleansDedup.Migration.Grains.Tests.Infrastructure;
using OrleansDedup.Migration.Scenario;

namespace OrleansDedup.Migration.Grains.Tests.Scenario;

/// <summary>A load-balancing scenario on a three-silo test cluster: silo i models host i, the balancer's migrations
/// move real chunks between the host grains, and a fresh cluster with the same seed reproduces every figure.</summary>
public sealed class GridScenarioTests : IDisposable
{
    private const short Silos = 3;

    private static readonly string[] Images = ["family-0", "family-1"];

    private readonly TempDirectory _temp = new("odscen");

    public void Dispose() => _temp.Dispose();

    /// <summary>A seed for which the balancer's four migrations go to a host that holds the VM's image from the start, to one
    /// that received it in an earlier migration, and to one that lacks it.</summary>
    private const int Seed = 16;

    /// <summary>Small enough for a test, yet the balancer migrates VMs (overloads and consolidation).</summary>
    private static ScenarioSpec Spec() => ScenarioSpec.Parse($$"""
        seed: {{Seed}}
        hosts: {{Silos}}
        vms: 5
        steps: 24
        safetyParameter: 4
        minHistory: 4
        trace: { mean: 0.6, spread: 0.3, phi: 0.5, noise: 0.3 }
        """, "grid.yaml");

    /// <summary>A fresh cluster on a fresh data directory: silo i claims host i; two family images are ingested.</summary>
    private async Task<(IReadOnlyList<VmMigrationReport> Reports, string[] HostSilos, string[] Silos)> RunOnFreshCluster(string name)
    {
        var claimed = 0;
        await using var grid = await MigrationGrid.StartAsync(_temp.File(name), Silos,
            _ => [GridScenario.HostName(Interlocked.Increment(ref claimed) - 1)]);
        for (var family = 0; family < Images.Length; family++)
        {
            var bytes = TestImages.Disk(seed: 100 + family, size: 1 << 20, zeroShare: 0.2, repeatShare: 0.2);
            await grid.IngestOk(Images[family], TestImages.Write(_temp.File($"{name}-family-{family}.raw"), bytes), ChunkingStrategy.Fixed);
        }
        var reports = await GridScenario.Run(grid.Client, Spec(), Images);
        var hostSilos = await Task.WhenAll(Enumerable.Range(0, Silos).Select(h => grid.Client.GetGrain<IHostGrain>(GridScenario.HostName(h)).GetSilo()));
        return (reports, hostSilos, grid.Cluster.Silos.Select(s => s.Name).ToArray());
    }

    [Fact]
    public async Task EachHostRunsOnItsOwnSiloAndTheSameSeedGivesTheSameResults()
    {
        var first = await RunOnFreshCluster("first");
        Assert.Equal(first.Silos.Order(), first.HostSilos.Order());

        var expected = ScenarioRunner.Balance(Spec(), ScenarioRunner.Traces(Spec())).Migrations;
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(m => (GridScenario.VmName(m.Vm), GridScenario.HostName(m.Source), GridScenario.HostName(m.Destination))),
            first.Reports.Select(r => (r.Vm, r.Source, r.Destination)));
        Assert.Contains(first.Reports, r => r.Disk.ChunkBytes > 0);

        var second = await RunOnFreshCluster("second");
        Assert.Equal(second.Silos.Order(), second.HostSilos.Order());
        Assert.Equal(first.Reports, second.Reports);
    }

    /// <summary>
    /// The grid and the pure runner start from the same state: every host holds the images of the VMs placed on it. Their
    /// byte counts cannot be equal (the pure runner prices CloudSim's 2500 MB disks with statistical shares, a family it
    /// has seen as <see cref="ScenarioSpec.FamilyShare"/> present, and memory with the strategy's shares; the grid moves
    /// 1 MiB test images chunk by chunk), so what must agree is the decisions and what a destination holds: wherever the
    /// pure runner finds a VM's family present, and wherever the destination has held the image (from the start or from an
    /// earlier migration), the grid sends no disk chunks; a destination that lacks the image receives its chunks.
    /// </summary>
    [Fact]
    public async Task HostsStartWithTheImagesOfTheirVmsSoADestinationThatHoldsAnImageReceivesNoDiskChunks()
    {
        var spec = Spec();
        var placement = ScenarioRunner.Balance(spec, ScenarioRunner.Traces(spec));
        var pure = ScenarioRunner.Run(spec).Strategies.Single(s => s.Strategy == "fixed").PerMigration;
        var (reports, _, _) = await RunOnFreshCluster("seeded");
        Assert.Equal(placement.Migrations.Select(m => (GridScenario.VmName(m.Vm), GridScenario.HostName(m.Source), GridScenario.HostName(m.Destination))),
            reports.Select(r => (r.Vm, r.Source, r.Destination)));

        var initially = Enumerable.Range(0, Silos).Select(_ => new HashSet<string>()).ToArray();
        for (var v = 0; v < spec.Vms; v++) initially[placement.InitialPlacement[v]].UnionWith(GridScenario.Disks(spec, v, Images));
        var holds = initially.Select(h => new HashSet<string>(h)).ToArray();
        int heldFromTheStart = 0, lacking = 0;
        for (var i = 0; i < reports.Count; i++)
        {
            var (m, disk) = (placement.Migrations[i], reports[i].Disk);
            var image = Assert.Single(GridScenario.Disks(spec, m.Vm, Images));
            if (pure[i].Disk.SavedPresent > 0) Assert.Contains(image, holds[m.Destination]);
            if (holds[m.Destination].Contains(image))
            {
                Assert.Equal(0, disk.ChunkBytes);
                Assert.Equal(disk.LogicalBytes - disk.ZeroBytes, disk.PresentBytes);
                if (initially[m.Destination].Contains(image)) heldFromTheStart++;
            }
            else
            {
                Assert.True(disk.ChunkBytes > 0, $"{reports[i].Vm} to {reports[i].Destination} sent no disk chunks");
                lacking++;
            }
            holds[m.Destination].Add(image);
        }
        // The seed must exercise the seeding (a VM goes to a host that has held its image since the start) and a transfer.
        Assert.True(heldFromTheStart > 0 && lacking > 0);
        Assert.Contains(pure, r => r.Disk.SavedPresent > 0);
    }
}
