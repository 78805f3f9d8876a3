namespace OrleansDedup.Host.Configuration;

/// <summary>
/// TLS on the silo's Orleans ports (section <c>OrleansDedup:Tls</c>, e.g. <c>OrleansDedup__Tls__CertificatePath</c>):
/// PEM files for this silo's certificate and key and for the cluster's CA. With clustering "postgresql" every silo
/// needs them unless <see cref="Mode"/> is "disabled", so that a cluster without TLS is a choice someone made; the
/// "localhost" development silo uses them if given and otherwise runs without TLS on loopback.
/// </summary>
public sealed class SiloTlsOptions
{
    public const string Section = "Tls";
    public const string Mutual = "mutual";
    public const string Disabled = "disabled";

    /// <summary>"mutual" (the default: both ends of every Orleans connection present a certificate from the CA) or
    /// "disabled" (no TLS: anyone who reaches the silo and gateway ports controls the grid).</summary>
    public string Mode { get; set; } = Mutual;

    /// <summary>This silo's certificate (PEM; in Kubernetes tls.crt of the Secret). It must allow server and client
    /// authentication, as a silo both accepts and opens connections.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key (PEM, PKCS#8 or PKCS#1; tls.key).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The cluster's CA certificate (PEM; ca.crt): the only issuer whose certificates peers may present.</summary>
    public string? CaPath { get; set; }

    public bool IsDisabled => string.Equals(Mode, Disabled, StringComparison.OrdinalIgnoreCase);

    public bool HasFiles => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(KeyPath) || !string.IsNullOrWhiteSpace(CaPath);

    /// <summary>Whether the silo runs with TLS: in "mutual" mode when the files are given (validation has made sure
    /// they are wherever they are required).</summary>
    public bool IsEnabled => !IsDisabled && HasFiles;

    public void Validate(bool clustered)
    {
        static string Env(string key) => $"{SiloHostOptions.Section}__{Section}__{key}";
        if (!IsDisabled && !string.Equals(Mode, Mutual, StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationError($"unknown TLS mode '{Mode}'; set {Env(nameof(Mode))} to '{Mutual}' or '{Disabled}'");
        if (IsDisabled) return;
        if (clustered && !HasFiles)
            throw new ConfigurationError($"clustering 'postgresql' needs TLS certificates; set {Env(nameof(CertificatePath))}, {Env(nameof(KeyPath))} and {Env(nameof(CaPath))}, or {Env(nameof(Mode))}={Disabled} to let anyone who reaches the silo and gateway ports in");
        if (!HasFiles) return;
        CheckPath(CertificatePath, nameof(CertificatePath));
        CheckPath(KeyPath, nameof(KeyPath));
        CheckPath(CaPath, nameof(CaPath));

        static void CheckPath(string? path, string key)
        {
            if (string.IsNullOrWhiteSpace(path))
                throw new ConfigurationError($"TLS needs the certificate, its key and the CA together; set {Env(key)} as well");
            if (!Path.IsPathFullyQualified(path))
                throw new ConfigurationError($"'{path}' is not an absolute path; fix {Env(key)}");
        }
    }
}
