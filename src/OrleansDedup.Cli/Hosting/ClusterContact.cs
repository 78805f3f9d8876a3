using System.Net;
using Npgsql;

namespace OrleansDedup.Cli.Hosting;

/// <summary>How the CLI finds a cluster's gateways: named ones (--gateway), or every live silo's gateway read from the
/// PostgreSQL membership table (--cluster), which the client re-reads while it runs, so losing one costs seconds.</summary>
public sealed record ClusterContact(IPEndPoint[] Gateways, string? MembershipConnectionString)
{
    public const string MembershipVariable = "ORLEANS_DEDUP_CLUSTER";

    public bool UsesMembership => MembershipConnectionString is not null;

    /// <summary>How long the grid may be silent about an ingest before the CLI gives it up. With another gateway to fail
    /// over to, long enough for membership to declare a killed silo dead under default settings; with one gateway named,
    /// there is nowhere to go, so seconds.</summary>
    public TimeSpan Outage => UsesMembership || Gateways.Length > 1 ? TimeSpan.FromSeconds(45) : TimeSpan.FromSeconds(15);

    /// <summary>Where the cluster was looked for, as a user recognises it; a connection string's password never appears.</summary>
    public string Describe() => MembershipConnectionString is { } connection
        ? $"through its membership table in {Where(connection)}"
        : $"at {string.Join(", ", Gateways.Select(g => g.ToString()))}";

    public static ClusterContact? From(string[] gateways, string? membership)
    {
        if (gateways.Length > 0 && membership is not null)
            throw new UserError("give either --gateway or --cluster, not both: --cluster finds every gateway by itself", ExitCodes.Usage);
        if (membership is not null) return new ClusterContact([], Validate(membership));
        return gateways.Length > 0 ? new ClusterContact(gateways.Select(Parse).ToArray(), null) : null;
    }

    private static string Validate(string connection)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
            return connection;
        }
        catch (ArgumentException e)
        {
            throw new UserError($"--cluster is not a PostgreSQL connection string ({e.Message.Split('\n')[0]}); write e.g. " +
                                "Host=db;Port=5432;Database=orleans_dedup;Username=dedup;Password=...", ExitCodes.Usage);
        }
    }

    private static string Where(string connection)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }

    private static IPEndPoint Parse(string gateway)
    {
        var at = gateway.LastIndexOf(':');
        if (at <= 0 || !int.TryParse(gateway[(at + 1)..], out var port))
            throw new UserError($"'{gateway}' is not a gateway; write HOST:PORT, e.g. 10.0.0.5:30000", ExitCodes.Usage);
        var host = gateway[..at];
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();
        return new IPEndPoint(address, port);
    }
}
