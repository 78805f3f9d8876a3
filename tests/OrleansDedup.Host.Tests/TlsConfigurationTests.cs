using OrleansDedup.Testing.Processes;
using OrleansDedup.Testing.Tls;

namespace OrleansDedup.Host.Tests;

/// <summary>The silo host's TLS settings, in real processes: what it refuses to start with (exit 2, one line, before
/// anything listens) and the development silo running with certificates.</summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("od-host-tls-").FullName;
    private readonly TestCertificates _ca = TestCertificates.CreateCa("host test CA");

    private string Data => Path.Combine(_directory, "data");

    private static async Task<string> RefusedLine(Dictionary<string, string> settings)
    {
        var (exitCode, error) = await SiloProcess.RunToExitAsync(settings);
        Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: bad configuration: ", line);
        return line;
    }

    [Fact]
    public async Task A_postgresql_cluster_without_certificates_must_disable_TLS_explicitly()
    {
        var line = await RefusedLine(new Dictionary<string, string>
        {
            ["DataDirectory"] = Data,
            ["Clustering"] = "postgresql",
            ["ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none",
        });
        Assert.Contains("OrleansDedup__Tls__CertificatePath", line);
        Assert.Contains("OrleansDedup__Tls__Mode=disabled", line);
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_refused_at_start()
    {
        using var other = TestCertificates.CreateCa("other CA");
        using var certificate = other.Issue("silo-x", TestCertificates.SiloUsages);
        var files = TestCertificates.Write(certificate, _directory, "silo-x", _ca.WriteCa(Path.Combine(_directory, "ca.crt")));
        var line = await RefusedLine(Settings(files));
        Assert.Contains("silo-x.crt", line);
        Assert.Contains("not signed by the cluster's CA", line);
    }

    [Fact]
    public async Task The_development_silo_runs_with_certificates_when_given()
    {
        var files = _ca.WriteNode(_directory, "dev-silo", TestCertificates.SiloUsages);
        await using var silo = await SiloProcess.StartAsync(Settings(files));
        Assert.Contains("with mutual TLS", silo.Output);
        Assert.Contains("CN=host test CA", silo.Output);
    }

    private Dictionary<string, string> Settings(TlsFiles files) => new()
    {
        ["DataDirectory"] = Data,
        ["Tls__CertificatePath"] = files.CertificatePath,
        ["Tls__KeyPath"] = files.KeyPath,
        ["Tls__CaPath"] = files.CaPath,
    };

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
