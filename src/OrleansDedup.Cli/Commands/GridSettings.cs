using System.ComponentModel;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Rendering;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Storage.Compression;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

/// <summary>Options every command shares: where the store is and how to print.</summary>
public class GridSettings : CommandSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Store directory (default: $ORLEANS_DEDUP_DATA, else ~/.local/share/orleans-dedup).")]
    public string? Data { get; init; }

    [CommandOption("--json")]
    [Description("Print machine-readable JSON instead of tables.")]
    public bool Json { get; init; }

    [CommandOption("--segment-size <SIZE>")]
    [Description("Segment size for large images, e.g. 1G or 64M (default 1G).")]
    public string? SegmentSize { get; init; }

    [CommandOption("--compression <MODE>")]
    [Description("Compression of a new store: none, zstd[[:LEVEL]] or auto[[:LEVEL]] (default auto:3: zstd level 3, data that does not compress stored as is). An existing store keeps its own and refuses another.")]
    public string? Compression { get; init; }

    [CommandOption("--gateway <HOST:PORT>")]
    [Description("Act on a running cluster through these gateways (repeatable; or $ORLEANS_DEDUP_GATEWAYS, comma-separated) instead of the embedded silo.")]
    public string[] Gateways { get; init; } = [];

    [CommandOption("--cluster <CONNECTION>")]
    [Description("Act on a running cluster whose gateways are read from its PostgreSQL membership table (a connection string; better: $ORLEANS_DEDUP_CLUSTER, which keeps the password off the command line). Losing a gateway then costs seconds, not the run.")]
    public string? Cluster { get; init; }

    [CommandOption("--cluster-id <ID>")]
    [Description("The cluster's id (default: orleans-dedup).")]
    public string ClusterId { get; init; } = Environment.GetEnvironmentVariable("ORLEANS_DEDUP_CLUSTER_ID") ?? "orleans-dedup";

    [CommandOption("--service-id <ID>")]
    [Description("The cluster's service id (default: orleans-dedup).")]
    public string ServiceId { get; init; } = Environment.GetEnvironmentVariable("ORLEANS_DEDUP_SERVICE_ID") ?? "orleans-dedup";

    [CommandOption("--tls-cert <FILE>")]
    [Description("PEM certificate this client presents to a cluster with mutual TLS (or $ORLEANS_DEDUP_TLS_CERT).")]
    public string? TlsCertificate { get; init; }

    [CommandOption("--tls-key <FILE>")]
    [Description("PEM private key of --tls-cert (or $ORLEANS_DEDUP_TLS_KEY).")]
    public string? TlsKey { get; init; }

    [CommandOption("--tls-ca <FILE>")]
    [Description("PEM certificate of the cluster's CA, the only one whose silos this client trusts (or $ORLEANS_DEDUP_TLS_CA).")]
    public string? TlsCa { get; init; }

    public string[] GatewayList => Gateways.Length > 0
        ? Gateways
        : (Environment.GetEnvironmentVariable("ORLEANS_DEDUP_GATEWAYS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The running cluster named by --cluster or --gateway (or their variables); none: the embedded silo.</summary>
    public ClusterContact? Contact => ClusterContact.From(GatewayList,
        Cluster ?? (Environment.GetEnvironmentVariable(ClusterContact.MembershipVariable) is { Length: > 0 } v ? v : null));

    /// <summary>The cluster when one is named, else the embedded silo on the data directory.</summary>
    public async Task<IGrid> OpenGrid(CancellationToken cancellation) => Contact is { } contact
        ? await ClusterGrid.ConnectAsync(contact, ClusterId, ServiceId, new StoreLayout(DataDirectory).Logs, cancellation,
            ClientTlsFiles.Resolve(TlsCertificate, TlsKey, TlsCa))
        : await EmbeddedGrid.StartAsync(DataDirectory, options => Configure(options), cancellation);

    public string DataDirectory => Path.GetFullPath(Data
        ?? Environment.GetEnvironmentVariable("ORLEANS_DEDUP_DATA")
        ?? Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "orleans-dedup"));

    /// <summary>Applies the flags to the grid's options: the embedded silo's options pipeline, which validates them at
    /// start, and <see cref="Options"/> both go through here.</summary>
    public void Configure(DedupOptions options, string? dataDirectory = null)
    {
        options.DataDirectory = dataDirectory ?? DataDirectory;
        if (SegmentSize is not null) options.SegmentSize = Sizes.Parse(SegmentSize);
        try
        {
            if (Compression is not null) options.Compression = CompressionSettings.Parse(Compression);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new UserError(e.Message, ExitCodes.Usage);
        }
    }

    /// <summary>The flags' options, validated, for reading a store without a silo.</summary>
    public DedupOptions Options(string? dataDirectory = null)
    {
        var options = new DedupOptions();
        Configure(options, dataDirectory);
        if (DedupOptionsValidator.Problem(options) is { } problem) throw new UserError(problem, ExitCodes.Usage);
        return options;
    }
}
