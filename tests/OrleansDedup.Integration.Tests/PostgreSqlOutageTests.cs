using System.Diagnostics;
using Npgsql;
using OrleansDedup.Integration.Tests.Infrastructure;
using OrleansDedup.Testing.PostgreSql;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>One silo whose PostgreSQL connections pass through a proxy the test can cut.</summary>
public sealed class PostgreSqlOutageFixture : ClusterFixture
{
    private TcpProxy? _proxy;

    public TcpProxy Proxy => _proxy ?? throw new InvalidOperationException("the fixture has not started");

    protected override int SiloCount => 1;

    public override string SiloConnectionString =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = Proxy.Port, Timeout = 3 }.ConnectionString;

    public override async Task InitializeAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(PostgreSqlTestServer.ConnectionString);
        _proxy = new TcpProxy(server.Host!, server.Port);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_proxy is not null) await _proxy.DisposeAsync();
    }
}

/// <summary>
/// PostgreSQL out of reach for 20 s during an ingest, and another ingest started during the outage: each completes or
/// ends with exit 8 and one line. Once the database is back nothing half-written shows: what failed succeeds when run
/// again, verify passes, every image restores, and deleting them all plus gc leaves nothing behind.
/// </summary>
public sealed class PostgreSqlOutageTests(PostgreSqlOutageFixture cluster, ITestOutputHelper output) : IClassFixture<PostgreSqlOutageFixture>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Twenty_seconds_without_the_database_cost_at_most_a_retry_and_leave_nothing_behind()
    {
        var silo = cluster.Silos[0];
        var warm = cluster.WriteImage("warm.raw", 16L << 20, seed: 5);
        await cluster.IngestOk(silo, warm, "warm");

        var images = new Dictionary<string, string>
        {
            ["big"] = cluster.WriteImage("big.raw", 96L << 20, seed: 11),
            ["late"] = cluster.WriteImage("late.raw", 32L << 20, seed: 12),
        };
        var ingest = cluster.CliWithin(silo, TimeSpan.FromSeconds(120), "ingest", images["big"], "--name", "big");
        await cluster.WaitForIngestProgress(silo, "big", ingest);
        cluster.Proxy.Cut();
        var outage = Stopwatch.StartNew();
        var late = cluster.CliWithin(silo, TimeSpan.FromSeconds(120), "ingest", images["late"], "--name", "late");
        await Task.Delay(Outage - outage.Elapsed);
        cluster.Proxy.Mend();

        var results = new Dictionary<string, CliResult> { ["big"] = await ingest, ["late"] = await late };
        foreach (var (name, result) in results)
        {
            output.WriteLine($"{name}: {result}");
            AssertDoneOrInterrupted(result);
            if (result.ExitCode != 0) await cluster.IngestOk(silo, images[name], name);
        }

        var report = await cluster.VerifyOk(silo);
        Assert.Equal(3, report.GetProperty("images").GetInt32());
        await cluster.RestoreIdentical(silo, "warm", warm);
        await cluster.RestoreIdentical(silo, "late", images["late"]);
        await cluster.DeleteAllAndAssertNothingLeft([silo], output, "warm", "big", "late");
    }

    private void AssertDoneOrInterrupted(CliResult result)
    {
        Assert.False(result.TimedOut, $"the ingest did not end within the retry bound:\n{result}\n{cluster.Diagnostics()}");
        if (result.ExitCode == 0) return;
        Assert.True(result.ExitCode == 8, $"expected exit 0 or 8 (interrupted):\n{result}");
        var error = result.Error.Trim();
        Assert.DoesNotContain('\n', error);
        Assert.Contains("catalog database", error);
        Clear.AssertNoStackTrace(error);
    }
}
