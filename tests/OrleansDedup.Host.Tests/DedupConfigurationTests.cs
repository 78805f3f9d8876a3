using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Host.Tests;

/// <summary>The grid's settings bind from the host's section into the silo's DedupOptions, under the keys the README
/// documents, and read as the host reads them before it starts.</summary>
public sealed class DedupConfigurationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => $"OrleansDedup:{s.Key}", s => (string?)s.Value)
            .Append(new("OrleansDedup:DataDirectory", "/srv/store"))).Build();

    /// <summary>The options registered and resolved as the host does, without the silo (whose store preparation would
    /// create the data directory).</summary>
    private static DedupOptions Load(IConfiguration configuration)
    {
        var host = SiloHostOptions.Load(configuration);
        var services = new ServiceCollection();
        services.AddDedupOptions(options => DedupConfiguration.Bind(options, configuration, host));
        using var provider = services.BuildServiceProvider();
        return DedupConfiguration.Resolve(provider);
    }

    [Fact]
    public void Settings_bind_in_their_configured_units()
    {
        var configuration = Configuration(("ShardCount", "8"), ("SegmentSize", "67108864"), ("BatchSize", "4194304"),
            ("IngestHeartbeatExpirySeconds", "60"), ("ShardRebalanceSeconds", "5"), ("ClaimTimeoutSeconds", "12"), ("Compression", "zstd:5"),
            ("Clustering", "postgresql"), ("ConnectionString", "Host=db"), ("Tls:Mode", "disabled"));

        var options = Load(configuration);

        Assert.Equal(("/srv/store", 8, 64L << 20, 4 << 20), (options.DataDirectory, options.ShardCount, options.SegmentSize, options.BatchSize));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(12)),
            (options.IngestHeartbeatExpiry, options.ShardRebalanceInterval, options.ClaimTimeout));
        Assert.Equal(new CompressionSettings(CompressionMode.Zstd, 5), options.Compression);
        Assert.Equal("Host=db", options.CatalogConnectionString);
    }

    [Fact]
    public void Unset_settings_keep_the_grid_defaults_but_a_silo_batches_more()
    {
        var configuration = Configuration();

        var options = Load(configuration);

        Assert.Equal(new DedupOptions { DataDirectory = "/srv/store" }.ShardCount, options.ShardCount);
        Assert.Equal(DedupConfiguration.SiloBatchSize, options.BatchSize);
        Assert.True(options.BatchSize > new DedupOptions().BatchSize);
        Assert.Null(options.Compression);
        Assert.Null(options.CatalogConnectionString);
    }

    [Theory]
    [InlineData("Compression", "lz4", "OrleansDedup__Compression")]
    [InlineData("ShardCount", "0", "OrleansDedup__ShardCount")]
    [InlineData("ClaimTimeoutSeconds", "0", "claim timeout")]
    [InlineData("BatchSize", "lots", "OrleansDedup:BatchSize")]
    public void A_bad_setting_is_one_configuration_error_naming_its_key(string key, string value, string named)
    {
        var configuration = Configuration((key, value));

        var error = Assert.Throws<ConfigurationError>(() => Load(configuration));

        Assert.Contains(named, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
