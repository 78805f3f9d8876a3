using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Host.Hosting;

namespace OrleansDedup.Deployment.Tests;

/// <summary>The silo workload against the host's real configuration (SiloHostOptions, SiloHost) and Orleans' Kubernetes
/// guidance; the HPA, PDB, Services and Prometheus scrape configuration against the silo.</summary>
public class SiloTests
{
    private static readonly Deployment D = Deployment.Instance;
    private const string Prefix = SiloHostOptions.Section + "__";

    private static IEnumerable<IDictionary<object, object?>> Env => D.SiloContainer.Maps("env");

    private static IDictionary<object, object?> EnvVar(string name) =>
        Env.SingleOrDefault(e => e.Str("name") == name) ?? throw new Xunit.Sdk.XunitException($"the silo container does not set {name}");

    private static int ContainerPort(string name) => WorkloadTests.PortOf(D.SiloContainer, name)
        ?? throw new Xunit.Sdk.XunitException($"the silo container has no port named {name}");

    [Fact]
    public void Every_OrleansDedup_variable_is_a_configuration_key_of_the_host()
    {
        var properties = typeof(SiloHostOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).ToDictionary(p => p.Name, p => p.PropertyType);
        // Keys the host reads straight from IConfiguration, named by its constants (e.g. "OrleansDedup:Dashboard").
        foreach (var field in typeof(SiloHostOptions).Assembly.GetTypes().SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)))
        {
            if (field.IsLiteral && field.GetRawConstantValue() is string key && key.StartsWith(SiloHostOptions.Section + ":") && key.Count(c => c == ':') == 1)
                properties.TryAdd(key[(SiloHostOptions.Section.Length + 1)..], typeof(string));
        }

        var names = Env.Select(e => e.Str("name")!).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains(names, n => n.StartsWith(Prefix));
        foreach (var name in names)
        {
            if (!name.StartsWith(Prefix))
            {
                // Anything else must be a known runtime setting, not a misspelt OrleansDedup key.
                Assert.True(name.StartsWith("ASPNETCORE_") || name.StartsWith("DOTNET_") || name.StartsWith("Logging__"), $"unexpected variable {name}");
                continue;
            }
            var parts = name[Prefix.Length..].Split("__");
            Assert.True(properties.TryGetValue(parts[0], out var type), $"{name}: SiloHostOptions has no property {parts[0]}");
            if (parts.Length == 2 && type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
            {
                Assert.True(int.TryParse(parts[1], out _), $"{name}: {parts[1]} is not an index");
            }
            else if (parts.Length == 2)
            {
                // A section such as Tls: its property must exist.
                Assert.True(type!.IsClass && type != typeof(string) && type.GetProperty(parts[1]) is { CanWrite: true },
                    $"{name}: {parts[0]} has no property {parts[1]}");
            }
            else
            {
                Assert.True(parts.Length == 1, $"{name}: {parts[0]} has no sub-keys");
            }
        }
    }

    [Fact]
    public void The_silo_environment_binds_and_validates_with_the_hosts_own_loader()
    {
        // The manifest's values, with stand-ins for what Kubernetes fills in (downward API, Secret).
        var secret = D.SecretExample();
        var roots = Directory.CreateTempSubdirectory("images-");
        try
        {
            var values = new Dictionary<string, string?>();
            foreach (var e in Env.Where(e => e.Str("name")!.StartsWith(Prefix)))
            {
                var key = e.Str("name")!.Replace("__", ":");
                values[key] = e.Str("value")
                    ?? (e.Str("valueFrom", "fieldRef", "fieldPath") switch
                    {
                        "metadata.name" => "orleans-dedup-silo-0",
                        "status.podIP" => "10.1.2.3",
                        null => null,
                        var other => throw new Xunit.Sdk.XunitException($"{key}: unexpected fieldRef {other}"),
                    })
                    ?? secret[e.Str("valueFrom", "secretKeyRef", "key")!];
            }
            // Image roots must exist where the host validates them; here a temporary directory stands in.
            foreach (var key in values.Keys.Where(k => k.StartsWith("OrleansDedup:ImageRoots:")).ToList()) values[key] = roots.FullName;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            var options = SiloHostOptions.Load(configuration);

            Assert.True(options.IsPostgreSql);
            Assert.Equal("orleans-dedup-silo-0", options.SiloName);
            Assert.Equal("10.1.2.3", options.AdvertisedAddress().ToString());
            Assert.Equal(ContainerPort("silo"), options.SiloPort);
            Assert.Equal(ContainerPort("gateway"), options.GatewayPort);
            Assert.True(options.HasApiKey);
            Assert.True(options.HasReadOnlyApiKey);
            Assert.Equal("10.1.2.3", options.ListenAddress(options.AdvertisedAddress()).ToString());
            Assert.True(options.Tls.IsEnabled, "the silos run without TLS");
            // The host's defaults are what the image exposes and the manifests use.
            var defaults = new SiloHostOptions();
            Assert.Equal(defaults.SiloPort, options.SiloPort);
            Assert.Equal(defaults.GatewayPort, options.GatewayPort);
        }
        finally
        {
            roots.Delete(recursive: true);
        }
    }

    [Fact]
    public void Silo_name_and_address_come_from_the_downward_api_and_secrets_from_the_secret()
    {
        Assert.Equal("metadata.name", EnvVar(Prefix + nameof(SiloHostOptions.SiloName)).Str("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", EnvVar(Prefix + nameof(SiloHostOptions.AdvertisedIPAddress)).Str("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal(SiloHostOptions.PostgreSqlClustering, EnvVar(Prefix + nameof(SiloHostOptions.Clustering)).Str("value"));
        Assert.False(string.IsNullOrEmpty(EnvVar(Prefix + nameof(SiloHostOptions.ClusterId)).Str("value")));
        Assert.False(string.IsNullOrEmpty(EnvVar(Prefix + nameof(SiloHostOptions.ServiceId)).Str("value")));
        foreach (var secret in new[] { nameof(SiloHostOptions.ConnectionString), nameof(SiloHostOptions.ApiKey), nameof(SiloHostOptions.ReadOnlyApiKey) })
        {
            var e = EnvVar(Prefix + secret);
            Assert.Null(e.Str("value"));
            Assert.NotNull(e.Map("valueFrom", "secretKeyRef"));
        }
    }

    [Fact]
    public void Http_port_and_probes_are_the_hosts()
    {
        Assert.Equal(SiloHost.DefaultHttpPort, ContainerPort("http"));
        Assert.Equal(SiloHost.DefaultHttpPort.ToString(), EnvVar("ASPNETCORE_HTTP_PORTS").Str("value"));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var http = D.SiloContainer.Map(probe, "httpGet");
            Assert.True(http is not null, $"the silo has no HTTP {probe}");
            Assert.Equal("/healthz", http.Str("path"));
            Assert.Equal(SiloHost.DefaultHttpPort, WorkloadTests.PortOf(D.SiloContainer, http.Str("port")));
        }
    }

    [Fact]
    public void Termination_grace_period_exceeds_the_hosts_shutdown_timeout()
    {
        var grace = int.Parse(D.Silo.Spec.Str("terminationGracePeriodSeconds") ?? "30");
        Assert.True(grace > SiloHost.ShutdownTimeout.TotalSeconds, $"terminationGracePeriodSeconds {grace} <= {SiloHost.ShutdownTimeout.TotalSeconds}");
    }

    [Fact]
    public void The_silo_runs_as_the_images_app_user_with_a_writable_tmp_and_no_api_token()
    {
        Assert.Equal("1654", D.Silo.Spec.Str("securityContext", "runAsUser"));
        Assert.Equal("1654", D.SiloContainer.Str("securityContext", "runAsUser"));
        Assert.Equal("false", D.Silo.Spec.Str("automountServiceAccountToken"));
        var tmp = D.SiloContainer.Maps("volumeMounts").Single(m => m.Str("mountPath") == "/tmp");
        Assert.NotNull(D.Silo.Volumes.Single(v => v.Str("name") == tmp.Str("name")).At("emptyDir"));
    }

    [Fact]
    public void Data_directory_and_image_roots_are_shared_read_write_many_volumes()
    {
        string ClaimAt(string path)
        {
            var mount = D.SiloContainer.Maps("volumeMounts").SingleOrDefault(m => m.Str("mountPath") == path)
                ?? throw new Xunit.Sdk.XunitException($"nothing is mounted at {path}");
            var claim = D.Silo.Volumes.Single(v => v.Str("name") == mount.Str("name")).Str("persistentVolumeClaim", "claimName")
                ?? throw new Xunit.Sdk.XunitException($"{path} is not a PersistentVolumeClaim");
            Assert.Contains("ReadWriteMany", D.Get("PersistentVolumeClaim", claim).Doc.List("spec", "accessModes").Cast<string>());
            return claim;
        }

        var data = EnvVar(Prefix + nameof(SiloHostOptions.DataDirectory)).Str("value")!;
        var dataMount = D.SiloContainer.Maps("volumeMounts").Single(m => m.Str("mountPath") == data);
        Assert.Null(dataMount.Str("readOnly"));
        ClaimAt(data);
        var roots = Env.Where(e => e.Str("name")!.StartsWith(Prefix + nameof(SiloHostOptions.ImageRoots) + "__")).ToList();
        Assert.NotEmpty(roots);
        foreach (var root in roots) Assert.NotEqual(ClaimAt(data), ClaimAt(root.Str("value")!));
    }

    [Fact]
    public void Gateway_and_api_services_expose_the_silo_ports()
    {
        var gateway = D.Get("Service", "orleans-dedup-gateway");
        Assert.Equal("None", gateway.Doc.Str("spec", "clusterIP"));
        Assert.Contains(gateway.Doc.Maps("spec", "ports"), p => p.Str("port") == new SiloHostOptions().GatewayPort.ToString()
            && WorkloadTests.PortOf(D.SiloContainer, p.Str("targetPort")) == new SiloHostOptions().GatewayPort);
        var api = D.Get("Service", "orleans-dedup-api");
        Assert.Contains(api.Doc.Maps("spec", "ports"), p => WorkloadTests.PortOf(D.SiloContainer, p.Str("targetPort")) == SiloHost.DefaultHttpPort);
        foreach (var s in new[] { gateway, api })
            Assert.True(Deployment.Matches(s.Doc.StringMap("spec", "selector"), D.Silo.Labels));
        Assert.Equal(gateway.Name, D.Silo.Owner.Doc.Str("spec", "serviceName"));
    }

    [Fact]
    public void The_hpa_and_the_pdb_target_the_silos()
    {
        var silo = D.Silo.Owner;
        var hpa = Assert.Single(D.OfKind("HorizontalPodAutoscaler"));
        Assert.Equal(silo.Kind, hpa.Doc.Str("spec", "scaleTargetRef", "kind"));
        Assert.Equal(silo.Name, hpa.Doc.Str("spec", "scaleTargetRef", "name"));
        Assert.Equal("apps/v1", hpa.Doc.Str("spec", "scaleTargetRef", "apiVersion"));
        var min = int.Parse(hpa.Doc.Str("spec", "minReplicas")!);
        Assert.True(min >= 2 && min <= int.Parse(hpa.Doc.Str("spec", "maxReplicas")!));
        Assert.Contains(hpa.Doc.Maps("spec", "metrics"), m => m.Str("type") == "Resource" && m.Str("resource", "name") == "cpu");
        // CPU utilisation is relative to the request; and the HPA owns the replica count.
        Assert.NotNull(D.SiloContainer.Str("resources", "requests", "cpu"));
        Assert.Null(silo.Doc.At("spec", "replicas"));

        var pdb = Assert.Single(D.OfKind("PodDisruptionBudget"));
        var selector = pdb.Doc.StringMap("spec", "selector", "matchLabels");
        Assert.True(Deployment.Matches(selector, D.Silo.Labels), "the PDB does not select the silos");
        Assert.Single(D.PodTemplates, t => Deployment.Matches(selector, t.Labels));
        Assert.True(pdb.Doc.Str("spec", "maxUnavailable") == "1" || pdb.Doc.Str("spec", "minAvailable") is not null);
    }

    [Fact]
    public void The_silos_need_no_rbac_since_they_do_not_use_orleans_kubernetes_hosting()
    {
        var referenced = typeof(SiloHostOptions).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain("Orleans.Hosting.Kubernetes", referenced);
        Assert.Null(D.Silo.Spec.Str("serviceAccountName"));
    }
}
