using System.Text.Json;

namespace OrleansDedup.Deployment.Tests;

/// <summary>Prometheus scrapes the silos' /metrics; Grafana gets Prometheus and the project's dashboards.</summary>
public class MonitoringTests
{
    private static readonly Deployment D = Deployment.Instance;

    private static object PrometheusConfig() =>
        Yaml.LoadOne(File.ReadAllText(Path.Combine(D.K8s, D.ConfigMapGenerators["prometheus-config"]["prometheus.yml"])));

    private static IDictionary<object, object?> SiloJob() =>
        PrometheusConfig().Maps("scrape_configs").SingleOrDefault(j => j.Maps("kubernetes_sd_configs").Any())
        ?? throw new Xunit.Sdk.XunitException("no scrape job discovers pods");

    [Fact]
    public void Prometheus_scrapes_metrics_on_the_silos_http_port()
    {
        var job = SiloJob();
        // The host's scrape path (Observability.MetricsPath where the host defines it).
        var metricsPath = typeof(Host.Configuration.SiloHostOptions).Assembly.GetType("OrleansDedup.Host.Hosting.Observability")
            ?.GetField("MetricsPath")?.GetRawConstantValue() as string ?? "/metrics";
        Assert.Equal(metricsPath, job.Str("metrics_path"));
        var sd = Assert.Single(job.Maps("kubernetes_sd_configs"));
        Assert.Equal("pod", sd.Str("role"));
        var relabel = job.Maps("relabel_configs").ToList();

        // The port filter keeps exactly the silo container's HTTP port (named, 8080).
        var portKeep = relabel.Single(r => r.List("source_labels").Contains("__meta_kubernetes_pod_container_port_name") && r.Str("action") == "keep");
        Assert.Equal(Host.Hosting.SiloHost.DefaultHttpPort, WorkloadTests.PortOf(D.SiloContainer, portKeep.Str("regex")));

        // The label filter keeps the silo pods and no other workload's.
        var labelKeep = relabel.Single(r => r.Str("action") == "keep" && r.List("source_labels").Cast<string>().All(l => l.StartsWith("__meta_kubernetes_pod_label_")));
        var labels = labelKeep.List("source_labels").Cast<string>().Select(l => l["__meta_kubernetes_pod_label_".Length..]).ToList();
        string Joined(PodTemplate t) => string.Join(labelKeep.Str("separator") ?? ";", labels.Select(l =>
            t.Labels.FirstOrDefault(p => Sanitize(p.Key) == l).Value ?? ""));
        Assert.Equal(labelKeep.Str("regex"), Joined(D.Silo));
        Assert.Single(D.PodTemplates, t => Joined(t) == labelKeep.Str("regex"));
    }

    [Fact]
    public void Prometheus_may_list_pods_and_reads_its_mounted_config()
    {
        var prometheus = D.PodTemplates.Single(t => t.Containers.Any(c => c.Str("image")!.StartsWith("prom/prometheus")));
        var account = prometheus.Spec.Str("serviceAccountName");
        Assert.NotNull(account);
        var binding = D.OfKind("RoleBinding").Single(b => b.Doc.Maps("subjects").Any(s => s.Str("name") == account));
        var role = D.Get("Role", binding.Doc.Str("roleRef", "name")!);
        Assert.Contains(role.Doc.Maps("rules"), r => r.List("resources").Contains("pods")
            && new[] { "list", "watch" }.All(v => r.List("verbs").Contains(v)));

        var container = prometheus.Containers.Single();
        var configFile = container.List("args").Cast<string>().Single(a => a.StartsWith("--config.file="))["--config.file=".Length..];
        var mount = container.Maps("volumeMounts").Single(m => m.Str("mountPath") == Path.GetDirectoryName(configFile));
        var volume = prometheus.Volumes.Single(v => v.Str("name") == mount.Str("name"));
        Assert.Equal("prometheus-config", volume.Str("configMap", "name"));
        Assert.Contains(Path.GetFileName(configFile), D.ConfigMapGenerators["prometheus-config"].Keys);
    }

    [SkippableFact]
    public void Promtool_accepts_the_configuration()
    {
        var promtool = Tools.Find("promtool");
        Skip.If(promtool is null, "promtool is not installed (Debian package prometheus)");
        // Debian's Prometheus is built without Kubernetes discovery: check everything else (relabelling rules,
        // intervals, paths) with the discovery replaced by a static target.
        var config = (IDictionary<object, object?>)PrometheusConfig();
        foreach (var job in config.Maps("scrape_configs").Where(j => j.ContainsKey("kubernetes_sd_configs")))
        {
            job.Remove("kubernetes_sd_configs");
            job["static_configs"] = new List<object> { new Dictionary<object, object> { ["targets"] = new List<object> { "127.0.0.1:8080" } } };
        }
        var file = Path.Combine(Directory.CreateTempSubdirectory("promtool-").FullName, "prometheus.yml");
        File.WriteAllText(file, Yaml.Serialize(config));
        var (code, output) = Tools.Run(promtool!, "check", "config", file);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void Grafana_gets_the_prometheus_service_and_the_dashboards_folder()
    {
        var grafana = D.PodTemplates.Single(t => t.Containers.Any(c => c.Str("image")!.StartsWith("grafana/grafana")));
        var container = grafana.Containers.Single();
        string MountOf(string configMap)
        {
            var volume = grafana.Volumes.Single(v => v.Str("configMap", "name") == configMap);
            return container.Maps("volumeMounts").Single(m => m.Str("name") == volume.Str("name")).Str("mountPath")!;
        }

        Assert.Equal("/etc/grafana/provisioning/datasources", MountOf("grafana-datasources"));
        Assert.Equal("/etc/grafana/provisioning/dashboards", MountOf("grafana-dashboard-providers"));

        var datasources = Yaml.LoadOne(File.ReadAllText(Path.Combine(D.K8s, D.ConfigMapGenerators["grafana-datasources"].Values.Single())));
        var prometheus = datasources.Maps("datasources").Single(d => d.Str("type") == "prometheus");
        var url = new Uri(prometheus.Str("url")!);
        var service = D.Get("Service", url.Host);
        Assert.Contains(service.Doc.Maps("spec", "ports"), p => p.Str("port") == url.Port.ToString());

        var providers = Yaml.LoadOne(File.ReadAllText(Path.Combine(D.K8s, D.ConfigMapGenerators["grafana-dashboard-providers"].Values.Single())));
        Assert.Equal(MountOf("grafana-dashboards"), providers.Maps("providers").Single().Str("options", "path"));
        Assert.Contains(container.Maps("env"), e => e.Str("name") == "GF_SECURITY_ADMIN_PASSWORD" && e.Map("valueFrom", "secretKeyRef") is not null);
    }

    [Fact]
    public void The_dashboards_generator_lists_exactly_the_json_files_of_k8s_grafana()
    {
        var dir = Path.Combine(D.K8s, "grafana");
        var files = Directory.EnumerateFiles(dir, "*.json").Select(f => "grafana/" + Path.GetFileName(f)).Order().ToList();
        var generator = D.ConfigMapGenerators["grafana-dashboards"];
        Assert.Equal(files, generator.Values.Order().ToList());
        foreach (var (key, file) in generator)
        {
            Assert.Equal(Path.GetFileName(file), key);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(D.K8s, file)));
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        }
    }

    [SkippableFact]
    public void The_dashboards_in_k8s_are_copies_of_grafana_dashboards()
    {
        var source = Path.Combine(D.Root, "grafana", "dashboards");
        Skip.IfNot(Directory.Exists(source), "grafana/dashboards does not exist yet: nothing to compare k8s/grafana/*.json with");
        var originals = Directory.EnumerateFiles(source, "*.json").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        var copies = Directory.EnumerateFiles(Path.Combine(D.K8s, "grafana"), "*.json").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        var hint = " (copy them: cp grafana/dashboards/*.json k8s/grafana/, and list them in kustomization.yaml)";
        Assert.True(originals.Keys.Order().SequenceEqual(copies.Keys.Order()),
            $"grafana/dashboards has [{string.Join(", ", originals.Keys.Order())}], k8s/grafana has [{string.Join(", ", copies.Keys.Order())}]" + hint);
        foreach (var (name, text) in originals)
            Assert.True(text == copies[name], $"k8s/grafana/{name} differs from grafana/dashboards/{name}" + hint);
    }

    // Prometheus turns label names into [a-zA-Z0-9_].
    private static string Sanitize(string label) => new(label.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
}
