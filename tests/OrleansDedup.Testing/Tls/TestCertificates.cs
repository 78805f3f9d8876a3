using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansDedup.Testing.Tls;

/// <summary>The PEM files of one node: its certificate and key, and the CA it trusts.</summary>
public sealed record TlsFiles(string CertificatePath, string KeyPath, string CaPath);

/// <summary>
/// A throw-away CA made with .NET's <see cref="CertificateRequest"/> (no openssl at test time), issuing node
/// certificates the way the README's openssl commands do: ECDSA P-256, a CA with basicConstraints CA:TRUE, node
/// certificates with the extended key usages a silo (serverAuth, clientAuth) or a client (clientAuth) needs.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _key;

    private TestCertificates(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public static TestCertificates CreateCa(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
        return new TestCertificates(certificate, key);
    }

    /// <summary>A node certificate signed by this CA, with its private key. <paramref name="usages"/> null leaves the
    /// extended key usage extension out (good for any purpose).</summary>
    public X509Certificate2 Issue(string name, string[]? usages = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (usages is not null)
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection().AddAll(usages), false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key),
            notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddMonths(6), serial);
        return issued.CopyWithPrivateKey(key);
    }

    public static readonly string[] SiloUsages = [Oids.ServerAuthentication, Oids.ClientAuthentication];
    public static readonly string[] ClientUsages = [Oids.ClientAuthentication];

    /// <summary>Writes the CA certificate as PEM to <paramref name="path"/>.</summary>
    public string WriteCa(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>Issues a certificate and writes it, its key and this CA as PEM files into <paramref name="directory"/>.</summary>
    public TlsFiles WriteNode(string directory, string name, string[]? usages)
    {
        Directory.CreateDirectory(directory);
        using var certificate = Issue(name, usages);
        return Write(certificate, directory, name, WriteCa(Path.Combine(directory, $"{name}-ca.crt")));
    }

    public static TlsFiles Write(X509Certificate2 certificate, string directory, string name, string caPath)
    {
        Directory.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, $"{name}.crt");
        var keyPath = Path.Combine(directory, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{name}: no ECDSA private key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TlsFiles(certificatePath, keyPath, caPath);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    public static class Oids
    {
        public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
        public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    }
}

internal static class OidCollectionExtensions
{
    public static OidCollection AddAll(this OidCollection collection, IEnumerable<string> values)
    {
        foreach (var value in values) collection.Add(new Oid(value));
        return collection;
    }
}
