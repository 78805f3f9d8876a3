using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using OrleansDedup.Testing.Tls;
using OrleansDedup.Tls;

namespace OrleansDedup.Host.Tests;

/// <summary>Loading a node's PEM files and judging peers by the cluster's CA alone (OrleansDedup.Tls).</summary>
public sealed class NodeCredentialsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("od-tls-").FullName;
    private readonly TestCertificates _ca = TestCertificates.CreateCa("cluster CA");
    private readonly TestCertificates _otherCa = TestCertificates.CreateCa("other CA");

    private string CaPath => Path.Combine(_directory, "ca.crt");

    public NodeCredentialsTests() => _ca.WriteCa(CaPath);

    private TlsFiles Node(string name, TestCertificates issuer, string[]? usages, DateTimeOffset? notAfter = null)
    {
        using var certificate = issuer.Issue(name, usages, notAfter: notAfter);
        return TestCertificates.Write(certificate, _directory, name, CaPath);
    }

    private static NodeCredentials Load(TlsFiles files, NodeRole role) => NodeCredentials.Load(files.CertificatePath, files.KeyPath, files.CaPath, role);

    private static string Refusal(TlsFiles files, NodeRole role) => Assert.Throws<TlsSetupException>(() => Load(files, role)).Message;

    [Fact]
    public void A_silo_certificate_from_the_CA_loads_with_its_key()
    {
        var credentials = Load(Node("silo-1", _ca, TestCertificates.SiloUsages), NodeRole.Silo);
        Assert.True(credentials.Certificate.HasPrivateKey);
        Assert.Equal("CN=silo-1", credentials.Certificate.Subject);
        Assert.Contains("CN=cluster CA", credentials.Describe());
    }

    [Fact]
    public void A_certificate_without_extended_key_usages_serves_either_role()
    {
        var files = Node("any", _ca, usages: null);
        Assert.NotNull(Load(files, NodeRole.Silo));
        Assert.NotNull(Load(files, NodeRole.Client));
    }

    [Fact]
    public void A_certificate_from_another_CA_is_refused()
    {
        var message = Refusal(Node("intruder", _otherCa, TestCertificates.SiloUsages), NodeRole.Silo);
        Assert.Contains("not signed by the cluster's CA", message);
        Assert.Contains("intruder.crt", message);
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        var message = Refusal(Node("old", _ca, TestCertificates.SiloUsages, notAfter: DateTimeOffset.UtcNow.AddHours(-1)), NodeRole.Silo);
        Assert.Contains("expired", message);
    }

    [Fact]
    public void A_client_only_certificate_cannot_serve_a_silo_but_serves_a_client()
    {
        var files = Node("cli", _ca, TestCertificates.ClientUsages);
        Assert.Contains("serverAuth", Refusal(files, NodeRole.Silo));
        Assert.NotNull(Load(files, NodeRole.Client));
    }

    [Fact]
    public void A_server_only_certificate_cannot_open_connections()
    {
        var files = Node("server-only", _ca, [TestCertificates.Oids.ServerAuthentication]);
        Assert.Contains("clientAuth", Refusal(files, NodeRole.Silo));
    }

    [Fact]
    public void The_key_of_another_certificate_is_refused()
    {
        var first = Node("first", _ca, TestCertificates.SiloUsages);
        var second = Node("second", _ca, TestCertificates.SiloUsages);
        var message = Refusal(first with { KeyPath = second.KeyPath }, NodeRole.Silo);
        Assert.Contains("cannot load the certificate", message);
        Assert.DoesNotContain("\n", message);
    }

    [Fact]
    public void A_node_certificate_given_as_the_CA_is_refused()
    {
        var files = Node("silo-1", _ca, TestCertificates.SiloUsages);
        var message = Refusal(files with { CaPath = files.CertificatePath }, NodeRole.Silo);
        Assert.Contains("not a CA certificate", message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var files = Node("silo-1", _ca, TestCertificates.SiloUsages) with { KeyPath = Path.Combine(_directory, "nothing.key") };
        Assert.Contains("nothing.key does not exist", Refusal(files, NodeRole.Silo));
    }

    [Fact]
    public void Peers_are_judged_by_the_cluster_CA_whatever_SslStream_thought()
    {
        var authority = new ClusterAuthority([X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)]);
        using var member = _ca.Issue("member", TestCertificates.SiloUsages);
        using var intruder = _otherCa.Issue("intruder", TestCertificates.SiloUsages);
        // SslStream's own verdict (against the system store) would be chain errors for both; it does not count.
        Assert.True(authority.ValidatePeer(member, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(authority.ValidatePeer(intruder, null, SslPolicyErrors.None));
        // Validation leaves the peer's certificate usable (the chain's copies are what it disposes).
        Assert.Equal("CN=member", member.Subject);
        Assert.NotNull(member.GetECDsaPublicKey());
    }

    [Fact]
    public void A_self_signed_certificate_named_like_the_CA_is_not_the_CA()
    {
        var authority = new ClusterAuthority([X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)]);
        using var forged = TestCertificates.CreateCa("cluster CA");
        using var signedByForgery = forged.Issue("member", TestCertificates.SiloUsages);
        Assert.False(authority.Trusts(forged.Certificate, out _));
        Assert.False(authority.Trusts(signedByForgery, out var problem));
        Assert.Contains("not signed by the cluster's CA", problem);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
