using Microsoft.Extensions.Configuration;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Host.Tests;

/// <summary>Configuration the silo cannot start with: one line on stderr and exit code 2, before anything listens.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData(null, null, "OrleansDedup__DataDirectory")]
    [InlineData("Clustering", "zookeeper", "OrleansDedup__Clustering")]
    [InlineData("Clustering", "postgresql", "OrleansDedup__ConnectionString")]
    [InlineData("SiloPort", "eleven", "OrleansDedup:SiloPort")]
    [InlineData("GatewayPort", "70000", "OrleansDedup__GatewayPort")]
    [InlineData("ImageRoots__0", "/no/such/directory", "OrleansDedup__ImageRoots__0")]
    [InlineData("ApiKey", "short", "OrleansDedup__ApiKey")]
    [InlineData("ReadOnlyApiKey", "short", "OrleansDedup__ReadOnlyApiKey")]
    [InlineData("AdvertisedIPAddress", "not-an-ip", "OrleansDedup__AdvertisedIPAddress")]
    [InlineData("ShardCount", "0", "shard count")]
    [InlineData("ListenIPAddress", "everywhere", "OrleansDedup__ListenIPAddress")]
    [InlineData("Tls__Mode", "sometimes", "OrleansDedup__Tls__Mode")]
    [InlineData("Tls__CertificatePath", "/etc/orleans-dedup/tls/tls.crt", "OrleansDedup__Tls__KeyPath")]
    [InlineData("Tls__CertificatePath", "tls.crt", "OrleansDedup__Tls__CertificatePath")]
    public async Task Bad_configuration_exits_with_code_2_and_one_line(string? key, string? value, string mentioned)
    {
        var data = Path.Combine(Path.GetTempPath(), "orleans-dedup-host-config-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>();
        if (key is not null)
        {
            settings["DataDirectory"] = data;
            settings[key] = value!;
        }
        try
        {
            var (exitCode, error) = await SiloProcess.RunToExitAsync(settings);
            Assert.Equal(2, exitCode);
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith("error: bad configuration: ", line);
            Assert.Contains(mentioned, line);
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void The_read_only_key_must_differ_from_the_read_write_key()
    {
        const string key = "the-same-secret-for-both-keys";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansDedup:DataDirectory"] = Path.GetTempPath(),
            ["OrleansDedup:ApiKey"] = key,
            ["OrleansDedup:ReadOnlyApiKey"] = key,
        }).Build();
        var error = Assert.Throws<ConfigurationError>(() => SiloHostOptions.Load(configuration));
        Assert.Contains("OrleansDedup__ReadOnlyApiKey", error.Message);
    }
}
