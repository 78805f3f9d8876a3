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

    /// <summary>What the contract's grain calls cannot see: the silos that stored the state are active members of the
    /// cluster in the same database.</summary>
    [Fact]
    public async Task The_silos_that_store_the_state_are_members_in_the_same_database()
    {
        var cluster = await StartClusterAsync();
        try
        {
            await cluster.Client.GetGrain<ICatalogEntryGrain>("image-" + Guid.NewGuid().ToString("N")).SetAsync("disk-image-7");
            Assert.Equal(Silos, await CountAsync("SELECT COUNT(*) FROM OrleansMembershipTable WHERE DeploymentId = @c AND Status = @active",
                ("c", ClusterId), ("active", (int)SiloStatus.Active)));
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @s", ("s", ServiceId)));
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
