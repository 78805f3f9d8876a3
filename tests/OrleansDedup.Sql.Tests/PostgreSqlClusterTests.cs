using Orleans.TestingHost;
using OrleansDedup.Testing.PostgreSql;

namespace OrleansDedup.Sql.Tests;

/// <summary>
/// Two-silo in-process clusters whose membership lives in PostgreSQL (ADO.NET provider, invariant "Npgsql", the
/// project's scripts), one database for the class. Grain state on the same database: GrainStorage/.
/// </summary>
public sealed class PostgreSqlClusterTests(PostgreSqlDatabaseFixture database) : IClassFixture<PostgreSqlDatabaseFixture>, IAsyncLifetime
{
    private const int Active = 3;

    private readonly string _clusterId = "od-pg-cluster-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<InProcessTestCluster> StartClusterAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ClusterId = _clusterId; // every cluster of a test joins the same membership rows
        builder.Options.ConfigureFileLogging = false;
        PostgreSqlTestCluster.UseAdoNetClustering(builder, database.ConnectionString);
        return await TestClusters.DeployAsync(builder);
    }

    private Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) =>
        PostgreSqlTestServer.ScalarLongAsync(database.ConnectionString, sql, parameters);

    private Task<long> ActiveSilosAsync() =>
        CountAsync("SELECT COUNT(*) FROM OrleansMembershipTable WHERE DeploymentId = @c AND Status = @s", ("c", _clusterId), ("s", Active));

    [Fact]
    public async Task Two_silos_form_a_cluster_through_the_PostgreSQL_membership_table()
    {
        var cluster = await StartClusterAsync();
        try
        {
            Assert.Equal(2, await ActiveSilosAsync());
            var hosts = await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Equal(2, hosts.Count);
            Assert.Equal(
                cluster.Silos.Select(s => s.SiloAddress.ToString()).Order(),
                hosts.Keys.Select(s => s.ToString()).Order());
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @c", ("c", _clusterId)));
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }

        // A graceful stop leaves the rows, marked dead.
        Assert.Equal(0, await ActiveSilosAsync());

        cluster = await StartClusterAsync();
        try
        {
            Assert.Equal(2, await ActiveSilosAsync()); // the new silos, not the stopped ones
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }
    }
}
