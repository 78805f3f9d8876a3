using Microsoft.Extensions.Options;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Host.Configuration;

/// <summary>
/// The grid's settings, bound straight from the host's section (<c>OrleansDedup__ShardCount</c>,
/// <c>OrleansDedup__Compression</c>, <c>OrleansDedup__ClaimTimeoutSeconds</c>, ...) into the silo's one
/// <see cref="DedupOptions"/> and checked by its <see cref="DedupOptionsValidator"/>. The host reads them once before the
/// silo starts (<see cref="Resolve"/>), so that a bad value is one line and exit 2.
/// </summary>
public static class DedupConfiguration
{
    /// <summary>The keys a dedup setting the validator refuses may come from, for the error line.</summary>
    private static readonly string[] Keys =
        [nameof(DedupOptions.ShardCount), nameof(DedupOptions.SegmentSize), nameof(DedupOptions.BatchSize),
         nameof(DedupOptions.MaxParallelSegments), nameof(DedupOptions.MaxSegmentsPerSilo),
         nameof(DedupOptions.ShardRebalanceSeconds), nameof(DedupOptions.ClaimTimeoutSeconds)];

    /// <summary>A silo's batch unless configured: four times the embedded CLI's. Each batch costs a few rounds of calls
    /// to the index shards, which in a cluster cross the network: three silos on one 2-core machine ingested 15 images
    /// 7 % faster (median) with 32 MiB batches than with 8 MiB. The CLI keeps 8 MiB, whose calls stay in its process
    /// and whose memory bound is tighter.</summary>
    public const int SiloBatchSize = 32 << 20;

    /// <summary>Binds the options to the host's section, over the silo's own batch size; the catalog lives in PostgreSQL
    /// when the cluster does.</summary>
    public static void Bind(OptionsBuilder<DedupOptions> options, IConfiguration configuration, SiloHostOptions host) => options
        .Configure(o => o.BatchSize = SiloBatchSize)
        .Bind(configuration.GetSection(SiloHostOptions.Section))
        .Configure(o => o.CatalogConnectionString = host.IsPostgreSql ? host.ConnectionString : null);

    /// <summary>The options as every service of the silo sees them: bound, reconciled with the store, validated.</summary>
    /// <exception cref="ConfigurationError">A setting does not parse, or the validator refuses the settings.</exception>
    public static DedupOptions Resolve(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IOptions<DedupOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new ConfigurationError($"{e.Message} (see {string.Join(", ", Keys.Select(Env))})");
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException bad)
        {
            // Only the compression converter throws FormatException itself; number converters wrap theirs.
            throw new ConfigurationError($"{bad.Message}; fix {Env(nameof(DedupOptions.Compression))}");
        }
        catch (InvalidOperationException e)
        {
            // "Failed to convert configuration value '...' at 'OrleansDedup:BatchSize' to type 'System.Int32'."
            throw new ConfigurationError(e.Message.ReplaceLineEndings(" "));
        }
    }

    private static string Env(string key) => $"{SiloHostOptions.Section}__{key}";
}
