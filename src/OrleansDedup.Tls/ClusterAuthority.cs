using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansDedup.Tls;

/// <summary>
/// The cluster's CA and the one question mutual TLS asks of every peer: does its certificate chain to that CA? The
/// chain is built against the CA alone (<see cref="X509ChainTrustMode.CustomRootTrust"/>): the system's trusted roots
/// count for nothing, so a certificate any public CA signed is refused. Host names are not checked: silos reach each
/// other by IP address, and the CA exists for this cluster only, so being signed by it is the membership test.
/// </summary>
public sealed class ClusterAuthority
{
    private readonly X509Certificate2Collection _roots;

    public ClusterAuthority(X509Certificate2Collection roots)
    {
        if (roots.Count == 0) throw new ArgumentException("no CA certificate", nameof(roots));
        _roots = roots;
    }

    /// <summary>Where refusals are logged (with the peer's subject and why); set once the host's logging exists.</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    public IReadOnlyList<X509Certificate2> Roots => [.. _roots];

    /// <summary>Orleans' <c>TlsOptions.RemoteCertificateValidation</c>: the chain SslStream built (against the system
    /// store) and its policy errors are ignored in favour of a chain against the cluster's CA.</summary>
    public bool ValidatePeer(X509Certificate2 certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors)
    {
        if (Trusts(certificate, out var problem)) return true;
        Logger.LogWarning("Refused a TLS peer: certificate {Subject} (issuer {Issuer}, thumbprint {Thumbprint}) {Problem}",
            certificate.Subject, certificate.Issuer, certificate.Thumbprint, problem);
        return false;
    }

    /// <summary>True if <paramref name="certificate"/> chains to the cluster's CA and is valid now; else
    /// <paramref name="problem"/> says why not.</summary>
    public bool Trusts(X509Certificate2 certificate, out string problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        // A private CA publishes no revocation lists, and a silo must not fetch anything a peer's certificate points at.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        try
        {
            if (chain.Build(certificate))
            {
                problem = "";
                return true;
            }
            var statuses = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
            problem = statuses.Count == 0 ? "does not chain to the cluster's CA" : Describe(statuses);
            return false;
        }
        finally
        {
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
        }
    }

    private static string Describe(IReadOnlyList<X509ChainStatusFlags> statuses)
    {
        if (statuses.Contains(X509ChainStatusFlags.NotTimeValid)) return "is expired or not yet valid";
        if (statuses.Any(s => s is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain))
            return "is not signed by the cluster's CA";
        return "does not chain to the cluster's CA (" + string.Join(", ", statuses) + ")";
    }
}
