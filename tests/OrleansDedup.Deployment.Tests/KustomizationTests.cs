namespace OrleansDedup.Deployment.Tests;

/// <summary>kustomization.yaml lists every file of k8s/ and only files that exist; every YAML file parses.</summary>
public class KustomizationTests
{
    private static readonly Deployment D = Deployment.Instance;

    // Files of k8s/ that are neither resources nor generator inputs.
    private static readonly string[] Documentation = ["README.md", "grafana/README.md", ".gitignore", "secret.env.example"];

    private static string Rel(string path) => Path.GetRelativePath(Deployment.Instance.K8s, path).Replace('\\', '/');

    private static IEnumerable<string> FilesOfK8s() => Directory.EnumerateFiles(D.K8s, "*", SearchOption.AllDirectories)
        .Select(Rel)
        .Where(f => f != "secret.env"); // the user's real secrets, git-ignored

    [Fact]
    public void Every_yaml_file_parses()
    {
        var files = Directory.EnumerateFiles(D.K8s, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml")).ToList();
        Assert.True(files.Count >= 10, $"only {files.Count} YAML files in k8s/");
        foreach (var file in files)
        {
            var ex = Record.Exception(() => Yaml.LoadAll(File.ReadAllText(file)));
            Assert.True(ex is null, $"k8s/{Rel(file)} does not parse: {ex?.Message}");
        }
    }

    [Fact]
    public void Kustomization_sets_the_namespace_and_common_labels()
    {
        Assert.Equal("kustomize.config.k8s.io/v1beta1", D.Kustomization.Str("apiVersion"));
        Assert.Equal("Kustomization", D.Kustomization.Str("kind"));
        Assert.Equal("orleans-dedup", D.Kustomization.Str("namespace"));
        var labels = D.Kustomization.Maps("labels").SelectMany(l => l.StringMap("pairs")).ToDictionary();
        Assert.Equal("orleans-dedup", labels["app.kubernetes.io/part-of"]);
        var ns = D.Get("Namespace", "orleans-dedup");
        Assert.Equal("restricted", ns.Doc.StringMap("metadata", "labels")["pod-security.kubernetes.io/enforce"]);
    }

    [Fact]
    public void Every_listed_file_exists_and_every_file_is_listed()
    {
        var listed = new HashSet<string>(D.Resources);
        foreach (var g in D.ConfigMapGenerators.Values) listed.UnionWith(g.Values);
        var secretEnvs = D.SecretGenerators.Values.SelectMany(f => f).ToList();

        foreach (var file in listed)
            Assert.True(File.Exists(Path.Combine(D.K8s, file)), $"kustomization.yaml lists k8s/{file}, which does not exist");
        Assert.Equal(D.Resources.Count, D.Resources.Distinct().Count());

        var unlisted = FilesOfK8s()
            .Where(f => f != "kustomization.yaml" && !listed.Contains(f) && !Documentation.Contains(f))
            .ToList();
        Assert.True(unlisted.Count == 0, "files of k8s/ that kustomization.yaml does not list: " + string.Join(", ", unlisted));

        // The secret generator reads a file the user makes; the repository holds only its example, and git ignores it.
        foreach (var env in secretEnvs)
        {
            Assert.True(File.Exists(Path.Combine(D.K8s, env + ".example")), $"no k8s/{env}.example");
            Assert.Contains(env, File.ReadAllLines(Path.Combine(D.K8s, ".gitignore")).Select(l => l.Trim()));
        }
    }

    [Fact]
    public void Every_object_has_api_version_kind_and_a_dns_name_and_is_unique()
    {
        Assert.NotEmpty(D.Objects);
        foreach (var o in D.Objects)
        {
            Assert.False(string.IsNullOrEmpty(o.ApiVersion), $"{o}: no apiVersion");
            Assert.False(string.IsNullOrEmpty(o.Kind), $"{o}: no kind");
            Assert.False(string.IsNullOrEmpty(o.Name), $"{o}: no metadata.name");
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", o.Name!);
            Assert.True(o.Name!.Length <= 63, $"{o}: name longer than 63");
            // The namespace comes from kustomization.yaml, not from each object.
            Assert.Null(o.Doc.At("metadata", "namespace"));
        }
        var duplicates = D.Objects.GroupBy(o => (o.Kind, o.Name)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "duplicate objects: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void The_deployment_has_every_part_the_issue_asks_for()
    {
        string[] kinds = ["Namespace", "StatefulSet", "Service", "PersistentVolumeClaim", "Job", "Deployment",
            "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount", "Role", "RoleBinding"];
        foreach (var kind in kinds) Assert.True(D.OfKind(kind).Any(), $"no {kind} in k8s/");
        Assert.Contains("prometheus-config", D.ConfigMapGenerators.Keys);
        Assert.Contains("grafana-dashboards", D.ConfigMapGenerators.Keys);
        Assert.Contains("orleans-dedup-secrets", D.SecretGenerators.Keys);
        Assert.True(File.Exists(Path.Combine(D.K8s, "README.md")));
    }

    [Fact]
    public void The_secret_example_holds_placeholders_only_and_a_consistent_connection_string()
    {
        var example = D.SecretExample();
        foreach (var (key, value) in example.Where(e => e.Key.Contains("PASSWORD") || e.Key.Contains("KEY")))
            Assert.True(value.Contains("CHANGE-ME"), $"secret.env.example: {key} must be a CHANGE-ME placeholder");
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(example["CONNECTION_STRING"]);
        Assert.Equal(example["POSTGRES_PASSWORD"], cs.Password);
        Assert.Equal(example["POSTGRES_USER"], cs.Username);
        Assert.Equal(example["POSTGRES_DB"], cs.Database);
        // Host and port are the postgres Service's.
        var service = D.Get("Service", cs.Host!);
        Assert.Contains(service.Doc.Maps("spec", "ports"), p => p.Str("port") == cs.Port.ToString());
        Assert.True(example["API_KEY"].Length >= Host.Configuration.SiloHostOptions.MinApiKeyLength);
        Assert.True(example["READ_ONLY_API_KEY"].Length >= Host.Configuration.SiloHostOptions.MinApiKeyLength);
        Assert.NotEqual(example["API_KEY"], example["READ_ONLY_API_KEY"]);
    }
}
