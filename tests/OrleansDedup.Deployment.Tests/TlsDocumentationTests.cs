using OrleansDedup.Tls;

namespace OrleansDedup.Deployment.Tests;

/// <summary>The certificates the documentation tells an operator to make: the openssl commands (marked
/// <c>&lt;!-- tls-openssl --&gt;</c> in README.md and k8s/README.md) run where openssl is installed, and the host's own
/// loader accepts what they make; the cert-manager example writes the Secret the silo pods mount.</summary>
public class TlsDocumentationTests
{
    private const string Marker = "<!-- tls-openssl -->";
    private static readonly Deployment D = Deployment.Instance;

    public static TheoryData<string> Documents => new() { "README.md", "k8s/README.md" };

    private static string Read(string document) => File.ReadAllText(Path.Combine(D.Root, document));

    /// <summary>The first fenced block of <paramref name="language"/> after <paramref name="from"/>.</summary>
    private static string Block(string text, string language, int from)
    {
        var open = text.IndexOf("```" + language + "\n", from, StringComparison.Ordinal);
        Assert.True(open >= 0, $"no ```{language} block");
        var start = open + language.Length + 4;
        return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [SkippableTheory]
    [MemberData(nameof(Documents))]
    public void The_openssl_commands_make_certificates_the_silo_and_the_cli_accept(string document)
    {
        var text = Read(document);
        var marker = text.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(marker >= 0, $"{document} has no {Marker} block");
        Skip.If(Tools.Find("openssl") is null, "openssl is not installed");

        var directory = Directory.CreateTempSubdirectory("od-openssl-");
        try
        {
            var script = Path.Combine(directory.FullName, "make.sh");
            File.WriteAllText(script, $"cd '{directory.FullName}'\n" + Block(text, "sh", marker));
            var (code, output) = Tools.Run("bash", "-e", script);
            Assert.True(code == 0, $"the commands of {document} failed:\n{output}");

            string At(string name) => Path.Combine(directory.FullName, name);
            var silo = NodeCredentials.Load(At("silo.crt"), At("silo.key"), At("ca.crt"), NodeRole.Silo);
            Assert.Equal("CN=orleans-dedup-silo", silo.Certificate.Subject);
            var cli = NodeCredentials.Load(At("cli.crt"), At("cli.key"), At("ca.crt"), NodeRole.Client);
            Assert.True(silo.Authority.Trusts(cli.Certificate, out var problem), problem);
            // The CLI's certificate is for clients only.
            Assert.Throws<TlsSetupException>(() => NodeCredentials.Load(At("cli.crt"), At("cli.key"), At("ca.crt"), NodeRole.Silo));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_cert_manager_example_writes_the_secret_the_silos_mount()
    {
        var text = Read("k8s/README.md");
        var example = Block(text, "yaml", text.IndexOf("cert-manager", StringComparison.Ordinal));
        var objects = Yaml.LoadAll(example).ToList();
        Assert.All(objects, o => Assert.Equal("cert-manager.io/v1", o.Str("apiVersion")));
        var silo = objects.Single(o => o.Str("kind") == "Certificate" && o.Str("spec", "secretName") == Deployment.TlsSecret);
        var usages = silo.List("spec", "usages").Cast<string>().ToList();
        Assert.Contains("server auth", usages);
        Assert.Contains("client auth", usages);
        // Signed by a CA Issuer, which is what puts ca.crt into the Secret.
        var issuer = objects.Single(o => o.Str("kind") == "Issuer" && o.Str("metadata", "name") == silo.Str("spec", "issuerRef", "name"));
        Assert.NotNull(issuer.Str("spec", "ca", "secretName"));
        Assert.DoesNotContain("cert-manager", File.ReadAllText(Path.Combine(D.K8s, "kustomization.yaml")));
    }
}
