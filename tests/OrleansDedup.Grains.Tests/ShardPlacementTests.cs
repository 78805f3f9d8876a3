using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansDedup.Abstractions.Index;
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
        await using var grid = await Grid.StartAsync(temp.Data, silos: 3,
            configure: (_, silo) => silo.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.Zero));

        var first = await ShardsPerSilo(grid);
        Assert.Equal(3, first.Count);
        Assert.InRange(first.Values.Max() - first.Values.Min(), 0, 1);

        // Not the first silo: the test's client talks through its gateway.
        var victim = grid.Cluster.Silos.Skip(1).MaxBy(s => first[s.Name])!;
        await grid.Cluster.KillSiloAsync(victim);
        var after = await AfterDeathIsDeclared(grid, victim.Name);
        Assert.Equal(2, after.Count);
        Assert.DoesNotContain(victim.Name, after.Keys);
        Assert.Equal(Grid.ShardCount, after.Values.Sum());
    }

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
