using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Grains.Tests.Infrastructure;

namespace OrleansDedup.Migration.Grains.Tests.Placement;

/// <summary>Host placement on a three-silo test cluster: a host grain runs on the silo that claims its host.</summary>
public sealed class HostPlacementDirectorTests : ThreeHostGrid
{
    [Fact]
    public async Task HostGrainsRunOnTheSilosThatClaimThem()
    {
        foreach (var silo in Grid.Cluster.Silos)
            Assert.Equal(silo.Name, await Grid.Client.GetGrain<IHostGrain>(HostOf(silo.Name)).GetSilo());
        // A host no silo claims still gets one stable home.
        var names = Grid.Cluster.Silos.Select(s => s.Name).ToArray();
        var stray = await Grid.Client.GetGrain<IHostGrain>("unclaimed-host").GetSilo();
        Assert.Contains(stray, names);
    }
}
