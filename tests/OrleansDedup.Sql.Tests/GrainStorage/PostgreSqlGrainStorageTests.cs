using System.Data.Common;
using Npgsql;
using Orleans.TestingHost;

namespace OrleansDedup.Sql.Tests.GrainStorage;

/// <summary>
/// The grain-storage contract on PostgreSQL (invariant "Npgsql", the project's scripts), one database for the class;
/// grain activations run on two-silo clusters whose membership lives in the same database, as a deployed grid's does.
/// </summary>
public sealed class PostgreSqlGrainStorageTests(PostgreSqlDatabaseFixture database)
    : GrainStorageContract, IClassFixture<PostgreSqlDatabaseFixture>, IAsyncLifetime
{
    protected override string Invariant => PostgreSqlSchema.Invariant;

    protected override string ConnectionString => database.ConnectionString;

    protected override short Silos => 2;

    protected override DbConnection CreateConnection() => new NpgsqlConnection(ConnectionString);

    protected override void ConfigureCluster(InProcessTestClusterBuilder builder) =>
        PostgreSqlTestCluster.UseAdoNetClustering(builder, ConnectionString);

    public Task InitializeAsync() => PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);

    public Task DisposeAsync() => Task.CompletedTask;
}
