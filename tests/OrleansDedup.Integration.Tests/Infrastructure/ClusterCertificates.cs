using OrleansDedup.Testing.Tls;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>
/// The test cluster's CA and the PEM files its silos and clients present, made in the fixture's directory with
/// .NET's CertificateRequest: one certificate per silo (serverAuth and clientAuth) and one for the CLI (clientAuth).
/// Strangers are nodes with consistent files from a CA of their own, which the cluster must refuse.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    private readonly TestCertificates _ca = TestCertificates.CreateCa("orleans-dedup test CA");
    private readonly string _directory;

    public ClusterCertificates(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        CaPath = _ca.WriteCa(Path.Combine(directory, "ca.crt"));
        Client = Issue("orleans-dedup-cli", TestCertificates.ClientUsages);
    }

    public string CaPath { get; }

    /// <summary>The operator's CLI certificate.</summary>
    public TlsFiles Client { get; }

    public TlsFiles Silo(string name) => Issue(name, TestCertificates.SiloUsages);

    public TlsFiles Issue(string name, string[] usages)
    {
        using var certificate = _ca.Issue(name, usages);
        return TestCertificates.Write(certificate, _directory, name, CaPath);
    }

    /// <summary>A certificate, key and CA that belong together but come from a CA the cluster does not trust.</summary>
    public TlsFiles Stranger(string name, string[] usages)
    {
        using var ca = TestCertificates.CreateCa($"{name} CA");
        return ca.WriteNode(Path.Combine(_directory, "strangers"), name, usages);
    }

    public static Dictionary<string, string> SiloEnvironment(TlsFiles files) => new()
    {
        ["OrleansDedup__Tls__CertificatePath"] = files.CertificatePath,
        ["OrleansDedup__Tls__KeyPath"] = files.KeyPath,
        ["OrleansDedup__Tls__CaPath"] = files.CaPath,
    };

    /// <summary>The CLI's variables for <paramref name="files"/>; none for a client without a certificate.</summary>
    public static Dictionary<string, string> ClientEnvironment(TlsFiles? files) => files is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string>
        {
            ["ORLEANS_DEDUP_TLS_CERT"] = files.CertificatePath,
            ["ORLEANS_DEDUP_TLS_KEY"] = files.KeyPath,
            ["ORLEANS_DEDUP_TLS_CA"] = files.CaPath,
        };

    public void Dispose() => _ca.Dispose();
}
