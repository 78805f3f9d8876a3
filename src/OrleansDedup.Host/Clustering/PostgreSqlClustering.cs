using System.Net;
using Orleans.Configuration;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Sql;

namespace OrleansDedup.Host.Clustering;

/// <summary>
/// Everything the "postgresql" clustering mode needs, kept in one place: membership in PostgreSQL through
/// Microsoft.Orleans.Clustering.AdoNet (invariant "Npgsql"), the cluster and service ids, this silo's advertised
/// endpoints and the address its ports listen on, and the project's schema applied before the silo starts.
/// </summary>
public static class PostgreSqlClustering
{
    public const string Invariant = PostgreSqlSchema.Invariant;

    public static ISiloBuilder UsePostgreSqlClustering(this ISiloBuilder silo, SiloHostOptions options, IPAddress advertised)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = options.ConnectionString;
        });
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        // Listening is configured apart from advertising, so that a silo can listen on its pod IP or loopback only.
        var listen = options.ListenAddress(advertised);
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = options.SiloPort;
            o.GatewayPort = options.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(listen, options.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(listen, options.GatewayPort);
        });
        return silo;
    }

    /// <summary>Applies the project's PostgreSQL scripts (clustering and persistence), idempotently, before the silo
    /// starts. An unreachable server is retried a bounded number of times, then <see cref="DatabaseUnavailableException"/>
    /// (its message names host, port and database, never credentials).</summary>
    public static Task EnsureSchemaAsync(string connectionString, CancellationToken cancellation) =>
        PostgreSqlSchema.EnsureCreatedAsync(connectionString, cancellation);
}
