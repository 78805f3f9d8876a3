using OrleansDedup.Tls;

namespace OrleansDedup.Cli.Hosting;

/// <summary>
/// The PEM files a cluster client presents for mutual TLS: its certificate and key and the cluster's CA. Each comes
/// from a command option if one is given, else from <c>ORLEANS_DEDUP_TLS_CERT</c>, <c>ORLEANS_DEDUP_TLS_KEY</c>,
/// <c>ORLEANS_DEDUP_TLS_CA</c>. None at all means a client without TLS, which a cluster with TLS refuses.
/// </summary>
public sealed record ClientTlsFiles(string? CertificatePath, string? KeyPath, string? CaPath)
{
    public const string CertificateVariable = "ORLEANS_DEDUP_TLS_CERT";
    public const string KeyVariable = "ORLEANS_DEDUP_TLS_KEY";
    public const string CaVariable = "ORLEANS_DEDUP_TLS_CA";

    public static ClientTlsFiles Resolve(string? certificatePath = null, string? keyPath = null, string? caPath = null) => new(
        Pick(certificatePath, CertificateVariable), Pick(keyPath, KeyVariable), Pick(caPath, CaVariable));

    public bool IsEmpty => CertificatePath is null && KeyPath is null && CaPath is null;

    /// <summary>The credentials, or null without any file.</summary>
    /// <exception cref="UserError">Files missing, incomplete or unusable (exit code <see cref="ExitCodes.Usage"/>).</exception>
    public NodeCredentials? Load()
    {
        if (IsEmpty) return null;
        if (CertificatePath is null || KeyPath is null || CaPath is null)
            throw new UserError($"TLS needs a certificate, its key and the cluster's CA together; set {CertificateVariable}, {KeyVariable} and {CaVariable}", ExitCodes.Usage);
        try
        {
            return NodeCredentials.Load(Path.GetFullPath(CertificatePath), Path.GetFullPath(KeyPath), Path.GetFullPath(CaPath), NodeRole.Client);
        }
        catch (TlsSetupException e)
        {
            throw new UserError($"cannot use the client certificate: {e.Message}", ExitCodes.Usage);
        }
    }

    private static string? Pick(string? option, string variable) =>
        !string.IsNullOrWhiteSpace(option) ? option
        : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
        : null;
}
