using System.Diagnostics;
using OrleansDedup.Integration.Tests.Infrastructure;
using OrleansDedup.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>
/// The CLI never hangs on a gateway that is gone. With one named gateway, losing it (kill -9 or SIGTERM) mid-ingest
/// ends the CLI within 30 s with exit 8 and one line naming the lost silo. With the membership table (--cluster), the
/// CLI fails over: the ingest lost with its silo is started again through another gateway and completes. SIGTERM to
/// the CLI ends it within 2 s.
/// </summary>
public sealed class GatewayLossTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const long Size = 160L << 20; // 20 segments of 8 MiB: seconds of work on this machine

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Losing_the_only_named_gateway_mid_ingest_ends_the_CLI_within_30_s_naming_that_silo(bool kill)
    {
        var name = kill ? "only-killed" : "only-stopped";
        var gateway = cluster.Silos[0];
        var image = cluster.WriteImage($"{name}.raw", Size, seed: kill ? 21 : 22);
        var before = cluster.IngestHeartbeats();
        var cli = cluster.CliWithin(gateway, TimeSpan.FromSeconds(120), "ingest", image, "--name", name);
        await cluster.WaitForNewIngests(before, 1, cli);
        var runner = await cluster.SiloRunning(name);
        Assert.Equal(gateway, runner);

        var clock = Stopwatch.StartNew();
        if (kill) await gateway.KillAsync();
        else Assert.Equal(0, await gateway.StopAsync());
        var result = await cli;
        output.WriteLine($"{(kill ? "kill -9" : "SIGTERM")} of {gateway.Name}; the CLI ended {clock.Elapsed.TotalSeconds:0.0} s later: {result}");
        Assert.False(result.TimedOut, $"the CLI still waited 120 s after its only gateway went:\n{result}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the CLI took {clock.Elapsed.TotalSeconds:0} s to give up:\n{result}");
        Assert.True(result.ExitCode == 8, $"expected exit 8 (interrupted):\n{result}");
        // One error line, after any notes (a graceful stop lets the grid report the ingest lost, and the CLI tries again).
        var lines = result.Error.Trim().Split('\n');
        Assert.All(lines[..^1], line => Assert.StartsWith("note: ", line));
        var error = lines[^1];
        Assert.StartsWith("error: ", error);
        Clear.AssertNoStackTrace(result.Error);
        Assert.Contains(gateway.Name, error);

        // The grid abandons the ingest as that of a client gone (running it again is KillMidIngestTests' part); the
        // cluster gets its third silo back for the next test.
        await cluster.StartSilosAsync(1);
    }

    [Fact]
    public async Task With_the_membership_table_the_CLI_fails_over_when_its_gateway_dies()
    {
        var image = cluster.WriteImage("failover.raw", Size, seed: 31);
        var before = cluster.IngestHeartbeats();
        var cli = cluster.CliViaMembership(TimeSpan.FromMinutes(3), ["ingest", image, "--name", "failover"]);
        await cluster.WaitForNewIngests(before, 1, cli);
        // The image grain lives on the silo whose gateway the CLI used.
        var gateway = await cluster.SiloRunning("failover");
        await gateway.KillAsync();
        var result = await cli;
        output.WriteLine($"kill -9 of {gateway.Name}: {result}");
        Assert.True(result.ExitCode == 0, $"the ingest did not survive its gateway:\n{result}\n{cluster.Diagnostics()}");
        Assert.Contains("started it again", result.Error);
        Assert.Contains(gateway.Name, result.Error);

        await cluster.RestoreIdentical(cluster.Silos[0], "failover", image);
        await cluster.StartSilosAsync(1);
    }

    [Fact]
    public async Task SIGTERM_to_the_CLI_ends_it_within_2_s()
    {
        var image = cluster.WriteImage("stopped-cli.raw", Size, seed: 41);
        Process? process = null;
        var before = cluster.IngestHeartbeats();
        var cli = cluster.CliViaMembership(TimeSpan.FromSeconds(60), ["ingest", image, "--name", "stopped-cli"], p => process = p);
        await cluster.WaitForNewIngests(before, 1, cli);
        var clock = Stopwatch.StartNew();
        ChildProcesses.Signal(process!, ChildProcesses.SigTerm);
        var result = await cli;
        output.WriteLine($"SIGTERM; the CLI ended {clock.Elapsed.TotalSeconds:0.00} s later: {result}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the CLI took {clock.Elapsed.TotalSeconds:0.0} s to stop:\n{result}");
        Assert.Equal(130, result.ExitCode);
        Assert.DoesNotContain('\n', result.Error.Trim());

    }
}
