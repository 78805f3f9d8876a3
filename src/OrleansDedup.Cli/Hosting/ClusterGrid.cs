using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansDedup.Abstractions.Serialization;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Sql;
using OrleansDedup.Tls;

namespace OrleansDedup.Cli.Hosting;

/// <summary>An Orleans client of a running cluster, reached through its gateways. The paths it ingests must be
/// readable by the silos (a shared volume); restore, verify and stats stream through the grid.</summary>
public sealed class ClusterGrid : IGrid
{
    private readonly IHost _host;

    private ClusterGrid(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public IServiceProvider Services => _host.Services;

    /// <param name="tls">The client's certificate files; default: from the ORLEANS_DEDUP_TLS_* variables.</param>
    public static async Task<ClusterGrid> ConnectAsync(ClusterContact contact, string clusterId, string serviceId, string logsDirectory,
        CancellationToken cancellation, ClientTlsFiles? tls = null)
    {
        var credentials = (tls ?? ClientTlsFiles.Resolve()).Load();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        CliLog.WriteTo(builder, logsDirectory);
        builder.Services.AddDatabaseErrorTransport();
        builder.UseOrleansClient(client =>
        {
            if (credentials is not null) client.UseMutualTls(credentials);
            client.UseConnectionRetryFilter(new RefusedGatewayRetryFilter());
            client.AddOutgoingGrainCallFilter<SiloLossRetryFilter>();
            if (contact.MembershipConnectionString is { } membership)
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgreSqlSchema.Invariant;
                    o.ConnectionString = membership;
                });
            }
            else
            {
                client.UseStaticClustering(contact.Gateways);
            }
            client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                })
                .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(10))
                // A silo that joins or leaves shows in the membership table within seconds.
                .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            // A refused TLS handshake looks to the client like a closed connection, so the hint names the certificate too.
            var where = contact.UsesMembership ? "--cluster" : "--gateway";
            var hint = credentials is null
                ? $"check {where} and that the silos run; no client certificate is set ({ClientTlsFiles.CertificateVariable}, {ClientTlsFiles.KeyVariable}, {ClientTlsFiles.CaVariable}), and a cluster with TLS refuses clients without one"
                : $"check {where}, that the silos run, and that the cluster's CA signed the client certificate";
            if (contact.UsesMembership && DatabaseErrors.IsUnreachable(e))
            {
                throw new UserError($"cannot reach the cluster {contact.Describe()} ({DatabaseErrors.Reason(e)}); check --cluster and that PostgreSQL runs",
                    ExitCodes.Interrupted);
            }

            throw new UserError($"cannot reach the cluster {contact.Describe()} ({UserMessages.FirstLine(e.Message)}); {hint}", ExitCodes.Failed);
        }
        return new ClusterGrid(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
