using System.Net;
using System.Net.Sockets;
using OrleansDedup.Integration.Tests.Infrastructure;

namespace OrleansDedup.Integration.Tests;

/// <summary>One silo on PostgreSQL, for where its Orleans ports listen.</summary>
public sealed class SingleSiloCluster : ClusterFixture
{
    protected override int SiloCount => 1;
}

/// <summary>
/// The silo and gateway ports listen on OrleansDedup__ListenIPAddress, by default the advertised address (here
/// 127.0.0.1), not on every address. 127.0.0.2 is another address of this machine (all of 127.0.0.0/8 is loopback
/// on Linux): a port bound to 127.0.0.1 refuses connections there; one bound to 0.0.0.0 accepts them.
/// </summary>
public sealed class ListenAddressTests(SingleSiloCluster cluster) : IClassFixture<SingleSiloCluster>
{
    private static readonly IPAddress Advertised = IPAddress.Loopback;
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task By_default_the_ports_listen_on_the_advertised_address_only()
    {
        var silo = cluster.Silos[0];
        foreach (var port in new[] { silo.SiloPort, silo.GatewayPort })
        {
            Assert.True(await Accepts(Advertised, port), $"{silo} does not accept on {Advertised}:{port}");
            Assert.False(await Accepts(Other, port), $"{silo} accepts on {Other}:{port}, though it should listen on {Advertised} only");
        }
    }

    [Fact]
    public async Task Listening_on_every_address_is_an_explicit_setting()
    {
        var everywhere = cluster.StartSilo(environment => environment["OrleansDedup__ListenIPAddress"] = "0.0.0.0");
        await everywhere.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        Assert.True(await Accepts(Other, everywhere.GatewayPort), $"{everywhere} does not accept on {Other}:{everywhere.GatewayPort}");
        Assert.True(await Accepts(Other, everywhere.SiloPort), $"{everywhere} does not accept on {Other}:{everywhere.SiloPort}");

        // Through the other address the gateway still demands the certificate, and takes it: no host name is checked.
        var stats = await cluster.CliAs(cluster.Certificates.Client, $"{Other}:{everywhere.GatewayPort}", TimeSpan.FromSeconds(90), "stats");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        var refused = await cluster.CliAs(null, $"{Other}:{everywhere.GatewayPort}", TimeSpan.FromSeconds(90), "stats");
        Assert.Equal(1, refused.ExitCode);

        Assert.Equal(0, await everywhere.StopAsync());
    }

    /// <summary>True if a TCP connection to the endpoint is accepted, false if refused; anything else fails.</summary>
    private static async Task<bool> Accepts(IPAddress address, int port)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            await client.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
