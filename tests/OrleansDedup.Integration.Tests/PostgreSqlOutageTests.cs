using Npgsql;
using OrleansDedup.Integration.Tests.Infrastructure;
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
        var server = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString);
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
/// PostgreSQL out of reach during an ingest: the ingest ends within the retry bound with one clear line (exit 8), an
/// ingest started meanwhile is refused the same way, and once the database is back nothing half-written shows: verify
/// passes, the earlier image restores, and the same ingest run again succeeds.
/// </summary>
public sealed class PostgreSqlOutageTests(PostgreSqlOutageFixture cluster, ITestOutputHelper output) : IClassFixture<PostgreSqlOutageFixture>
{
    [Fact]
    public async Task An_ingest_that_loses_its_database_fails_in_one_line_and_succeeds_once_it_is_back()
    {
        var silo = cluster.Silos[0];
        var warm = cluster.WriteImage("warm.raw", 16L << 20, seed: 5);
        await cluster.IngestOk(silo, warm, "warm");

        var big = cluster.WriteImage("big.raw", 160L << 20, seed: 11);
        var ingest = cluster.CliWithin(silo, TimeSpan.FromSeconds(120), "ingest", big, "--name", "big");
        await cluster.WaitForIngestProgress(silo, "big", ingest);
        cluster.Proxy.Cut();
        var failed = await ingest;
        output.WriteLine($"during the outage: {failed}");
        AssertInterruptedByDatabase(failed);

        var refused = await cluster.CliWithin(silo, TimeSpan.FromSeconds(60), "ingest", big, "--name", "big-2");
        output.WriteLine($"started during the outage: {refused}");
        AssertInterruptedByDatabase(refused);

        cluster.Proxy.Mend();
        var listed = (await cluster.CliOk(silo, "list")).Json.EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["warm"], listed);
        var report = await cluster.VerifyOk(silo);
        output.WriteLine($"verify after the outage: {report}");
        await cluster.RestoreIdentical(silo, "warm", warm);

        await cluster.IngestOk(silo, big, "big");
        await cluster.RestoreIdentical(silo, "big", big);
        Assert.Equal(2, (await cluster.VerifyOk(silo)).GetProperty("images").GetInt32());
    }

    private void AssertInterruptedByDatabase(CliResult result)
    {
        Assert.False(result.TimedOut, $"the ingest did not end within the retry bound:\n{result}\n{cluster.Diagnostics()}");
        Assert.True(result.ExitCode == 8, $"expected exit 8 (interrupted):\n{result}");
        var error = result.Error.Trim();
        Assert.DoesNotContain('\n', error);
        Assert.Contains("catalog database", error);
        Clear.AssertNoStackTrace(error);
    }
}
