using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansDedup.Tls;

/// <summary>
/// This node's certificate with its private key, and the cluster's CA, read from PEM files (what openssl writes and
/// what cert-manager puts in a kubernetes.io/tls Secret: tls.crt, tls.key, ca.crt). Loading checks everything a
/// handshake would otherwise fail on later and less clearly: the key belongs to the certificate, the certificate is
/// signed by that CA and valid now, and its extended key usages allow the node's <see cref="NodeRole"/>.
/// </summary>
public sealed class NodeCredentials
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private NodeCredentials(X509Certificate2 certificate, ClusterAuthority authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    public X509Certificate2 Certificate { get; }

    public ClusterAuthority Authority { get; }

    public string Describe() =>
        $"certificate {Certificate.Subject} (expires {Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}), CA {Authority.Roots[0].Subject}";

    /// <exception cref="TlsSetupException">A file is missing or unusable; the message names it and says why.</exception>
    public static NodeCredentials Load(string certificatePath, string keyPath, string caPath, NodeRole role)
    {
        foreach (var path in new[] { certificatePath, keyPath, caPath })
            if (!File.Exists(path)) throw new TlsSetupException($"{path} does not exist");
        var authority = new ClusterAuthority(LoadCa(caPath));
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSetupException($"cannot load the certificate {certificatePath} with the key {keyPath}: {OneLine(e.Message)}");
        }
        if (!authority.Trusts(certificate, out var problem))
            throw new TlsSetupException($"the certificate {certificatePath} ({certificate.Subject}) {problem} in {caPath}");
        CheckUsage(certificate, certificatePath, role);
        return new NodeCredentials(certificate, authority);
    }

    private static X509Certificate2Collection LoadCa(string caPath)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSetupException($"cannot read the CA certificate {caPath}: {OneLine(e.Message)}");
        }
        if (roots.Count == 0) throw new TlsSetupException($"{caPath} holds no PEM certificate");
        foreach (var root in roots)
        {
            // A node certificate given as the CA (files swapped) would otherwise surface as every peer being refused.
            var constraints = root.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (constraints is not { CertificateAuthority: true })
                throw new TlsSetupException($"{caPath} holds {root.Subject}, which is not a CA certificate");
        }
        return roots;
    }

    private static void CheckUsage(X509Certificate2 certificate, string path, NodeRole role)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usages is null) return; // no extension: good for any purpose
        var oids = usages.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
        if (!oids.Contains(ClientAuthentication))
            throw new TlsSetupException($"the certificate {path} is not valid for client authentication (extended key usage clientAuth)");
        if (role == NodeRole.Silo && !oids.Contains(ServerAuthentication))
            throw new TlsSetupException($"the certificate {path} is not valid for server authentication (extended key usage serverAuth), which a silo needs");
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
