using System.Net;
using Orleans.Configuration;
using OrleansDedup.Host.Configuration;

namespace OrleansDedup.Host.Clustering;

/// <summary>
/// Everything the "postgresql" clustering mode needs, kept in one place: membership in PostgreSQL through
/// Microsoft.Orleans.Clustering.AdoNet (invariant "Npgsql"), the cluster and service ids, this silo's advertised
/// endpoints, and the project's schema applied before the silo starts.
/// </summary>
public static class PostgreSqlClustering
{
    public const string Invariant = "Npgsql";

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
        silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
        return silo;
    }

    /// <summary>Applies the project's PostgreSQL scripts (clustering and persistence), idempotently, before the silo
    /// starts; retried a bounded number of times so that a silo starting just before its database still comes up.</summary>
    public static async Task EnsureSchemaAsync(string connectionString, ILogger logger, CancellationToken cancellation)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyProjectSchemaAsync(connectionString);
                return;
            }
            catch (Exception e) when (attempt < attempts && IsTransient(e))
            {
                var delay = TimeSpan.FromSeconds(Math.Min(16, 1 << attempt));
                logger.LogWarning("PostgreSQL is not reachable yet (attempt {Attempt} of {Attempts}: {Reason}); retrying in {Delay}",
                    attempt, attempts, e.Message, delay);
                await Task.Delay(delay, cancellation);
            }
        }
    }

    private static bool IsTransient(Exception e) => e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException;

    /// <summary>Placeholder until <c>OrleansDedup.Storage.PostgreSqlSchema.EnsureCreatedAsync(connectionString)</c>
    /// exists: replace the body with that call.</summary>
    private static Task ApplyProjectSchemaAsync(string connectionString) =>
        throw new NotSupportedException("PostgreSQL schema not yet available");
}
