using Microsoft.Extensions.Options;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Host.Configuration;

/// <summary>
/// The grid's settings, bound straight from the host's section (<c>OrleansDedup__ShardCount</c>,
/// <c>OrleansDedup__Compression</c>, <c>OrleansDedup__ClaimTimeoutSeconds</c>, ...) into <see cref="DedupOptions"/> and
/// checked by its <see cref="DedupOptionsValidator"/> before the silo is built, so that a bad value is one line and exit 2.
/// </summary>
public static class DedupConfiguration
{
    /// <summary>The keys a dedup setting the validator refuses may come from, for the error line.</summary>
    private static readonly string[] Keys =
        [nameof(DedupOptions.ShardCount), nameof(DedupOptions.SegmentSize), nameof(DedupOptions.BatchSize),
         nameof(DedupOptions.ShardRebalanceSeconds), nameof(DedupOptions.ClaimTimeoutSeconds)];

    /// <exception cref="ConfigurationError">A setting does not parse, or the validator refuses the settings.</exception>
    public static DedupOptions Load(IConfiguration configuration, SiloHostOptions host)
    {
        var options = new DedupOptions();
        try
        {
            configuration.GetSection(SiloHostOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException bad)
        {
            // Only the compression converter throws FormatException itself; number converters wrap theirs.
            throw new ConfigurationError($"{bad.Message}; fix {Env(nameof(DedupOptions.Compression))}");
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationError(e.Message.ReplaceLineEndings(" "));
        }
        options.CatalogConnectionString = host.IsPostgreSql ? host.ConnectionString : null;
        if (new DedupOptionsValidator().Validate(Options.DefaultName, options) is { Failed: true } result)
            throw new ConfigurationError($"{result.FailureMessage} (see {string.Join(", ", Keys.Select(Env))})");
        return options;
    }

    private static string Env(string key) => $"{SiloHostOptions.Section}__{key}";
}
