using System.Reflection;
using Orleans.TestingHost;

namespace OrleansDedup.Sql.Tests;

/// <summary>An <see cref="InProcessTestCluster"/> whose membership lives in a database of the test server.</summary>
internal static class PostgreSqlTestCluster
{
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
