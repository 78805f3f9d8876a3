using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace OrleansDedup.Tls;

/// <summary>
/// Mutual TLS on every Orleans connection through Orleans' own middleware (<c>UseTls</c>): a silo's silo port and
/// gateway demand a client certificate, its outgoing connections to other silos present one, and a client presents
/// one to the gateway; every peer certificate must chain to the cluster's CA (<see cref="ClusterAuthority"/>).
/// </summary>
public static class MutualTlsExtensions
{
    public static ISiloBuilder UseMutualTls(this ISiloBuilder silo, NodeCredentials credentials)
    {
        silo.Services.AddHostedService(sp => new PeerRefusalLogging(credentials.Authority, sp));
        return silo.UseTls(credentials.Certificate, options => Configure(options, credentials));
    }

    public static IClientBuilder UseMutualTls(this IClientBuilder client, NodeCredentials credentials)
    {
        client.Services.AddHostedService(sp => new PeerRefusalLogging(credentials.Authority, sp));
        return client.UseTls(credentials.Certificate, options => Configure(options, credentials));
    }

    private static void Configure(TlsOptions options, NodeCredentials credentials)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = credentials.Authority.ValidatePeer;
    }

    /// <summary>Gives the authority the host's logger, which does not exist yet when the builder is configured;
    /// "starting" runs before any hosted service starts, so before the silo or client opens a connection.</summary>
    private sealed class PeerRefusalLogging(ClusterAuthority authority, IServiceProvider services) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            authority.Logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansDedup.Tls");
            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
