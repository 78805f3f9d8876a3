using Orleans.TestingHost;

namespace OrleansDedup.Sql.Tests;

/// <summary>Starting and stopping the in-process clusters these tests run grains on.</summary>
internal static class TestClusters
{
    /// <summary>Builds and deploys the cluster; one that fails to deploy is disposed, not leaked.</summary>
    public static async Task<InProcessTestCluster> DeployAsync(InProcessTestClusterBuilder builder)
    {
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public static async Task StopAsync(InProcessTestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }
}
