namespace OrleansDedup.Deployment.Tests;

/// <summary>One Kubernetes object of k8s/: its file and its YAML tree.</summary>
public sealed record K8sObject(string File, object Doc)
{
    public string? ApiVersion => Doc.Str("apiVersion");
    public string? Kind => Doc.Str("kind");
    public string? Name => Doc.Str("metadata", "name");
    public override string ToString() => $"{Kind}/{Name} ({File})";
}

/// <summary>A pod template of a workload (Deployment, StatefulSet, Job, ...).</summary>
public sealed record PodTemplate(K8sObject Owner, object Spec, Dictionary<string, string> Labels)
{
    public IEnumerable<IDictionary<object, object?>> Containers => Spec.Maps("containers");
    public IEnumerable<IDictionary<object, object?>> InitContainers => Spec.Maps("initContainers");
    public IEnumerable<IDictionary<object, object?>> AllContainers => InitContainers.Concat(Containers);
    public IEnumerable<IDictionary<object, object?>> Volumes => Spec.Maps("volumes");
    public override string ToString() => Owner.ToString();
}

/// <summary>The repository and what k8s/ holds: kustomization.yaml, its resources, its generators.</summary>
public sealed class Deployment
{
    public static readonly Deployment Instance = new();

    public static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"];

    public string Root { get; }
    public string K8s { get; }
    public object Kustomization { get; }
    public IReadOnlyList<string> Resources { get; }
    public IReadOnlyList<K8sObject> Objects { get; }

    /// <summary>ConfigMap generator name → its keys and source files (relative to k8s/).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ConfigMapGenerators { get; }

    /// <summary>Secret generator name → its env files (relative to k8s/).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SecretGenerators { get; }

    private Deployment()
    {
        Root = FindRoot();
        K8s = Path.Combine(Root, "k8s");
        Kustomization = Yaml.LoadOne(File.ReadAllText(Path.Combine(K8s, "kustomization.yaml")));
        Resources = Kustomization.List("resources").Select(r => (string)r!).ToList();
        Objects = Resources
            .Where(r => File.Exists(Path.Combine(K8s, r)))
            .SelectMany(r => Yaml.LoadAll(File.ReadAllText(Path.Combine(K8s, r))).Select(d => new K8sObject(r, d)))
            .ToList();
        ConfigMapGenerators = Kustomization.Maps("configMapGenerator").ToDictionary(
            g => g.Str("name")!,
            g => (IReadOnlyDictionary<string, string>)g.List("files").Select(f => (string)f!).ToDictionary(
                f => f.Contains('=') ? f[..f.IndexOf('=')] : Path.GetFileName(f),
                f => f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f));
        SecretGenerators = Kustomization.Maps("secretGenerator").ToDictionary(
            g => g.Str("name")!,
            g => (IReadOnlyList<string>)g.List("envs").Select(f => (string)f!).ToList());
    }

    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansDedup.sln")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        }

        throw new InvalidOperationException("the repository root (OrleansDedup.sln) is not above " + AppContext.BaseDirectory);
    }

    public IEnumerable<K8sObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public K8sObject Get(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name) ?? throw new Xunit.Sdk.XunitException($"no {kind}/{name} in k8s/");

    public IEnumerable<PodTemplate> PodTemplates => Objects.Where(o => WorkloadKinds.Contains(o.Kind)).Select(Template);

    public static PodTemplate Template(K8sObject workload)
    {
        var template = workload.Kind == "CronJob" ? workload.Doc.At("spec", "jobTemplate", "spec", "template") : workload.Doc.At("spec", "template");
        Assert.True(template is not null, $"{workload} has no pod template");
        var spec = template.At("spec");
        Assert.True(spec is not null, $"{workload} has no pod spec");
        return new PodTemplate(workload, spec!, template.StringMap("metadata", "labels"));
    }

    /// <summary>The silo workload: the one whose pods run the orleans-dedup-silo image.</summary>
    public PodTemplate Silo => PodTemplates.Single(t => t.Containers.Any(c => ImageName(c.Str("image")) == SiloImage));

    public IDictionary<object, object?> SiloContainer => Silo.Containers.Single(c => ImageName(c.Str("image")) == SiloImage);

    public const string SiloImage = "orleans-dedup-silo";

    /// <summary>The silos' TLS Secret, which kustomize does not make: openssl plus `kubectl create secret`, or
    /// cert-manager, writes it (k8s/README.md). Its keys are those of a kubernetes.io/tls Secret plus ca.crt.</summary>
    public const string TlsSecret = "orleans-dedup-silo-tls";

    public static readonly string[] TlsSecretKeys = ["tls.crt", "tls.key", "ca.crt"];

    public static string? ImageName(string? image) => image is null ? null : image.Split('@')[0].Split(':')[0];

    /// <summary>The keys of the secret generator's env file, read from its committed example (secret.env.example).</summary>
    public Dictionary<string, string> SecretExample(string envFile = "secret.env")
    {
        var path = Path.Combine(K8s, envFile + ".example");
        Assert.True(File.Exists(path), $"k8s/{envFile}.example is missing: it documents the keys of k8s/{envFile}");
        var pairs = new Dictionary<string, string>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            Assert.True(eq > 0, $"k8s/{envFile}.example: '{line}' is not KEY=VALUE");
            pairs.Add(line[..eq], line[(eq + 1)..]);
        }
        return pairs;
    }

    /// <summary>Every secret key the generators produce: the keys of each env file's example.</summary>
    public Dictionary<string, HashSet<string>> SecretKeys() => SecretGenerators.ToDictionary(
        g => g.Key, g => g.Value.SelectMany(f => SecretExample(f).Keys).ToHashSet());

    public static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);
}
