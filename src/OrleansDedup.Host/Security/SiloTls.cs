using OrleansDedup.Host.Configuration;
using OrleansDedup.Tls;

namespace OrleansDedup.Host.Security;

/// <summary>The silo's TLS credentials from <see cref="SiloTlsOptions"/>, loaded before the host is built so that an
/// unusable file is a configuration error (one line, exit 2) rather than a silo that starts and refuses every peer.</summary>
public static class SiloTls
{
    /// <summary>The credentials, or null when the silo runs without TLS.</summary>
    public static NodeCredentials? Load(SiloHostOptions options)
    {
        var tls = options.Tls;
        if (!tls.IsEnabled) return null;
        try
        {
            return NodeCredentials.Load(tls.CertificatePath!, tls.KeyPath!, tls.CaPath!, NodeRole.Silo);
        }
        catch (TlsSetupException e)
        {
            var prefix = $"{SiloHostOptions.Section}__{SiloTlsOptions.Section}__";
            throw new ConfigurationError($"{e.Message} (see {prefix}{nameof(SiloTlsOptions.CertificatePath)}, {prefix}{nameof(SiloTlsOptions.KeyPath)}, {prefix}{nameof(SiloTlsOptions.CaPath)})");
        }
    }
}
