using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>
/// An Orleans client made in the test process rather than the CLI: what an intruder with the Orleans packages would
/// write. It tries one gateway once (no retries) and asks the management grain which silos are active.
/// </summary>
public static class OwnClusterClient
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The number of active silos, as the cluster answers a client set up by <paramref name="configure"/>
    /// (e.g. its TLS); a refused connection throws (an <see cref="OrleansException"/>).</summary>
    public static async Task<int> ActiveSilosAsync(ClusterFixture cluster, SiloNode gateway, Action<IClientBuilder> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gateway.GatewayPort));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            configure(client);
        });
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(Limit);
        await host.StartAsync(timeout.Token);
        try
        {
            var hosts = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(Limit);
            return hosts.Count;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
