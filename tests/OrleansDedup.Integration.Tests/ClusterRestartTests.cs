using OrleansDedup.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>Stop the whole cluster (SIGTERM to every silo) and start three new silos on the same database and data
/// directory: every image restores byte-identical and verify passes.</summary>
public sealed class ClusterRestartTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Whole_cluster_restart_keeps_every_image()
    {
        var before = cluster.Silos;
        Assert.Equal(3, before.Count);
        var first = cluster.WriteImage("first.raw", 64L << 20, seed: 21);
        var second = cluster.WriteImage("second.raw", 64L << 20, seed: 21, variant: 1);
        await cluster.IngestOk(before[0], first, "first");
        await cluster.IngestOk(before[1], second, "second");
        await cluster.VerifyOk(before[2]);

        // A graceful stop of all three at once; each exits 0.
        var exits = await Task.WhenAll(before.Select(s => s.StopAsync()));
        for (var i = 0; i < before.Count; i++)
            Assert.True(exits[i] == 0, $"{before[i]} exited {exits[i]} on SIGTERM:\n{before[i].Tail}");
        Assert.Empty(cluster.Silos);
        var membership = await cluster.MembershipAsync();
        output.WriteLine("membership after the stop: " + string.Join(", ", membership.Select(m => $"{m.Key}={m.Value}")));
        Assert.DoesNotContain(ClusterFixture.StatusActive, membership.Values);

        // Three new processes, new ports, same database and store.
        var after = await cluster.StartSilosAsync(3);
        Assert.DoesNotContain(after, s => before.Any(b => b.Pid == s.Pid || b.SiloPort == s.SiloPort));
        await cluster.WaitForActiveMembersAsync(3, TimeSpan.FromSeconds(60));

        var list = (await cluster.CliOk(after[2], "list")).Json;
        Assert.Equal(["first", "second"], list.EnumerateArray().Select(i => i.GetProperty("name").GetString()!).Order().ToArray());
        await cluster.RestoreIdentical(after[0], "first", first);
        await cluster.RestoreIdentical(after[1], "second", second);
        var report = await cluster.VerifyOk(after[2]);
        Assert.Equal(2, report.GetProperty("images").GetInt32());
        Assert.True(report.GetProperty("chunks").GetInt64() > 0);
    }
}
