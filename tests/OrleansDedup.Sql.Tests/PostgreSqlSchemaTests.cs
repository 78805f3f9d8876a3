using System.Diagnostics;
using System.Reflection;
using Npgsql;
using Orleans.Runtime.MembershipService;
using OrleansDedup.Testing.PostgreSql;

namespace OrleansDedup.Sql.Tests;

public sealed class PostgreSqlSchemaTests(PostgreSqlDatabaseFixture database) : IClassFixture<PostgreSqlDatabaseFixture>
{
    /// <summary>The keys Microsoft.Orleans.Persistence.AdoNet 10.4.2 loads (AdoNetGrainStorage.Init).</summary>
    private static readonly string[] PersistenceKeys = ["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey"];

    /// <summary>The one optional key Microsoft.Orleans.Clustering.AdoNet 10.4.2 uses when present.</summary>
    private const string OptionalClusteringKey = "CleanupDefunctSiloEntryKey";

    private static async Task<List<string>> QueryKeysAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey";
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    [Fact]
    public async Task EnsureCreated_twice_is_harmless_and_leaves_the_latest_version()
    {
        await PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);
        var keys = await QueryKeysAsync(database.ConnectionString);
        await PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);

        Assert.Equal(3, PostgreSqlSchema.LatestVersion);
        Assert.Equal(PostgreSqlSchema.LatestVersion, await PostgreSqlSchema.CurrentVersionAsync(database.ConnectionString));
        Assert.Equal(3, await PostgreSqlTestServer.ScalarLongAsync(database.ConnectionString, "SELECT COUNT(*) FROM OrleansDedupSchema"));
        Assert.Equal(3, await PostgreSqlTestServer.ScalarLongAsync(database.ConnectionString, "SELECT COUNT(DISTINCT Version) FROM OrleansDedupSchema"));
        Assert.Equal(keys, await QueryKeysAsync(database.ConnectionString));
    }

    [Fact]
    public async Task The_schema_holds_exactly_the_query_keys_the_10_4_2_providers_load()
    {
        await PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);

        // The clustering provider's required keys are the properties of its internal DbStoredQueries, which it checks
        // at start-up; reading them from the assembly keeps this test honest across package upgrades.
        var storedQueries = typeof(AdoNetClusteringTable).Assembly.GetType("Orleans.Clustering.AdoNet.Storage.DbStoredQueries", throwOnError: true)!;
        var clusteringKeys = storedQueries.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).ToList();
        Assert.Equal(9, clusteringKeys.Count);

        var expected = clusteringKeys.Append(OptionalClusteringKey).Concat(PersistenceKeys).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, (await QueryKeysAsync(database.ConnectionString)).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Four_concurrent_initialisers_on_an_empty_database_all_succeed()
    {
        var empty = await database.CreateScratchDatabaseAsync();
        Assert.Equal(0, await PostgreSqlSchema.CurrentVersionAsync(empty));

        using var start = new ManualResetEventSlim();
        var initialisers = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                await PostgreSqlSchema.EnsureCreatedAsync(empty);
            }))
            .ToArray();
        start.Set();
        await Task.WhenAll(initialisers);

        Assert.Equal(PostgreSqlSchema.LatestVersion, await PostgreSqlSchema.CurrentVersionAsync(empty));
        // Each script ran exactly once.
        Assert.Equal(PostgreSqlSchema.LatestVersion, await PostgreSqlTestServer.ScalarLongAsync(empty, "SELECT COUNT(*) FROM OrleansDedupSchema"));
        Assert.Equal(14, await PostgreSqlTestServer.ScalarLongAsync(empty, "SELECT COUNT(*) FROM OrleansQuery"));
    }

    [Fact]
    public async Task An_unreachable_server_throws_DatabaseUnavailableException_after_the_bounded_retries()
    {
        const string password = "never-print-me-7c1f";
        var unreachable = $"Host=127.0.0.1;Port=1;Username=orleans_dedup;Password={password};Database=od_nowhere;Timeout=2";

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(
            () => PostgreSqlSchema.EnsureCreatedAsync(unreachable, maxAttempts: 3, initialDelay: TimeSpan.FromMilliseconds(50)));
        clock.Stop();

        Assert.Equal(3, error.Attempts);
        Assert.Equal(("127.0.0.1", 1, "od_nowhere"), (error.Host, error.Port, error.Database));
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.Contains("od_nowhere", error.Message);
        Assert.DoesNotContain(password, error.Message);
        Assert.DoesNotContain(password, error.ToString());
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        // Waited 50 + 100 ms between the three attempts, and no longer than the bound.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<DatabaseUnavailableException>(() => PostgreSqlSchema.CurrentVersionAsync(unreachable));
    }

    [Fact]
    public async Task A_refused_login_is_not_retried_as_an_unreachable_server()
    {
        var wrongPassword = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = "wrong-" + Guid.NewGuid().ToString("N") }.ConnectionString;

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PostgresException>(
            () => PostgreSqlSchema.EnsureCreatedAsync(wrongPassword, maxAttempts: 5, initialDelay: TimeSpan.FromSeconds(10)));

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: a login failure must not wait out the backoff");
    }

    [Fact]
    public async Task Cancellation_stops_the_backoff()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PostgreSqlSchema.EnsureCreatedAsync(
            "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z", maxAttempts: 5, initialDelay: TimeSpan.FromSeconds(30), cancellation.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }
}
