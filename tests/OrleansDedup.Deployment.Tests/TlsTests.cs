using OrleansDedup.Host.Configuration;

namespace OrleansDedup.Deployment.Tests;

/// <summary>The silos' mutual TLS in k8s/: the Secret mounted read-only where the host's Tls settings point, and the
/// documentation an operator needs to make that Secret.</summary>
public class TlsTests
{
    private static readonly Deployment D = Deployment.Instance;
    private const string Prefix = SiloHostOptions.Section + "__" + SiloTlsOptions.Section + "__";

    private static string? EnvValue(string name) =>
        D.SiloContainer.Maps("env").SingleOrDefault(e => e.Str("name") == name)?.Str("value");

    [Fact]
    public void The_certificate_key_and_ca_are_files_of_the_mounted_tls_secret()
    {
        var volume = D.Silo.Volumes.SingleOrDefault(v => v.Str("secret", "secretName") == Deployment.TlsSecret)
            ?? throw new Xunit.Sdk.XunitException($"the silo pods do not mount the Secret {Deployment.TlsSecret}");
        var mount = D.SiloContainer.Maps("volumeMounts").SingleOrDefault(m => m.Str("name") == volume.Str("name"))
            ?? throw new Xunit.Sdk.XunitException($"the silo container does not mount the volume {volume.Str("name")}");
        Assert.Equal("true", mount.Str("readOnly"));
        var directory = mount.Str("mountPath")!;

        // Each key of the Secret becomes the file a setting names.
        var files = volume.Maps("secret", "items").ToDictionary(i => i.Str("key")!, i => i.Str("path")!);
        Assert.Equal(Deployment.TlsSecretKeys.Order(), files.Keys.Order());
        var settings = new Dictionary<string, string>
        {
            [nameof(SiloTlsOptions.CertificatePath)] = "tls.crt",
            [nameof(SiloTlsOptions.KeyPath)] = "tls.key",
            [nameof(SiloTlsOptions.CaPath)] = "ca.crt",
        };
        foreach (var (setting, key) in settings)
            Assert.Equal($"{directory}/{files[key]}", EnvValue(Prefix + setting));
        Assert.Null(EnvValue(Prefix + nameof(SiloTlsOptions.Mode)));
    }

    [Fact]
    public void The_private_key_is_not_readable_by_others()
    {
        var volume = D.Silo.Volumes.Single(v => v.Str("secret", "secretName") == Deployment.TlsSecret);
        var mode = volume.Str("secret", "defaultMode") ?? throw new Xunit.Sdk.XunitException("no defaultMode: the default 0644 lets every user read the key");
        var bits = mode.StartsWith('0') ? Convert.ToInt32(mode, 8) : int.Parse(mode);
        Assert.True((bits & 0b111) == 0, $"defaultMode {mode} gives others access to tls.key");
        // Group-readable is enough because the pod's fsGroup is the silo's group.
        Assert.Equal(D.Silo.Spec.Str("securityContext", "runAsGroup"), D.Silo.Spec.Str("securityContext", "fsGroup"));
    }

    [Fact]
    public void The_ports_listen_on_the_pod_ip()
    {
        var listen = D.SiloContainer.Maps("env").Single(e => e.Str("name") == SiloHostOptions.Section + "__" + nameof(SiloHostOptions.ListenIPAddress));
        Assert.Equal("status.podIP", listen.Str("valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void The_readme_tells_how_to_make_the_secret_and_which_port_needs_what()
    {
        var readme = File.ReadAllText(Path.Combine(D.K8s, "README.md"));
        Assert.Contains(Deployment.TlsSecret, readme);
        Assert.Contains("openssl req", readme);
        Assert.Contains("kubectl -n orleans-dedup create secret generic " + Deployment.TlsSecret, readme);
        Assert.Contains("kind: Certificate", readme);
        foreach (var key in Deployment.TlsSecretKeys) Assert.Contains(key, readme);
        foreach (var port in new[] { "11111", "30000", "8080" }) Assert.Contains(port, readme);
        Assert.Contains("ORLEANS_DEDUP_TLS_CERT", readme);
    }
}
