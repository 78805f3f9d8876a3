using System.Reflection;
using Npgsql;
using Orleans.TestingHost;

namespace OrleansDedup.Sql.Tests;

/// <summary>
/// The real PostgreSQL server the tests run against, named by <c>ORLEANS_DEDUP_TEST_PG</c>. Missing is a failure,
/// not a skip: CI always sets it, and a silently skipped persistence test proves nothing.
/// </summary>
internal static class PostgreSqlTestServer
{
    public const string EnvironmentVariable = "ORLEANS_DEDUP_TEST_PG";

    /// <summary>The connection string of the server's test role (its own database), as CI exports it.</summary>
    public static string ConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set, so the PostgreSQL tests have no server. .ci/run sets it; locally, " +
                    "run the PostgreSQL part of .ci/run as root (it installs Debian's postgresql, starts it on 127.0.0.1:5432 " +
                    "and creates the role), or point it at any server whose role may CREATE DATABASE, e.g. " +
                    $"export {EnvironmentVariable}='Host=127.0.0.1;Port=5432;Username=orleans_dedup;Password=...;Database=orleans_dedup'");
            }

            return value;
        }
    }

    /// <summary>Creates an empty database <c>od_test_&lt;guid&gt;</c> and returns a connection string for it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = ConnectionString;
        var name = "od_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}"; // a generated identifier, not input
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, ending sessions still open on it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarLongAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await DbScalar.LongAsync(connection, sql, parameters);
    }

    /// <summary>Cluster membership, for the silos and the client, in the database of <paramref name="connectionString"/>
    /// (schema applied).</summary>
    public static void UseAdoNetClustering(InProcessTestClusterBuilder builder, string connectionString)
    {
        UseConfiguredMembership(builder.Options);
        builder.ConfigureSilo((_, silo) => silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgreSqlSchema.Invariant;
            o.ConnectionString = connectionString;
        }));
        builder.ConfigureClient(client => client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgreSqlSchema.Invariant;
            o.ConnectionString = connectionString;
        }));
    }

    /// <summary>
    /// Makes an <see cref="InProcessTestCluster"/> use the clustering provider the test configures. The cluster
    /// otherwise registers its own in-memory <c>IMembershipTable</c> (silos) and <c>IGatewayListProvider</c> (client)
    /// after the test's delegates, so that a <c>UseAdoNetClustering</c> in <c>ConfigureSilo</c> is silently replaced;
    /// the switch that prevents this, <c>UseTestClusterMembership</c>, is internal in TestingHost 10.4.2.
    /// </summary>
    private static void UseConfiguredMembership(InProcessTestClusterOptions options)
    {
        var property = typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterMembership",
                           BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                       ?? throw new InvalidOperationException(
                           "Orleans.TestingHost no longer has InProcessTestClusterOptions.UseTestClusterMembership: " +
                           "find its replacement before trusting membership tests.");
        property.SetValue(options, false);
    }
}

/// <summary>A fresh database per test class (<c>od_test_&lt;guid&gt;</c>), dropped afterwards, plus scratch ones.</summary>
public sealed class PostgreSqlDatabaseFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];

    /// <summary>The class's database; no schema applied.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Another empty database, dropped with the fixture.</summary>
    public async Task<string> CreateScratchDatabaseAsync()
    {
        var connectionString = await PostgreSqlTestServer.CreateDatabaseAsync();
        lock (_databases)
        {
            _databases.Add(connectionString);
        }

        return connectionString;
    }

    public async Task InitializeAsync() => ConnectionString = await CreateScratchDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await PostgreSqlTestServer.DropDatabaseAsync(database);
        }
    }
}
