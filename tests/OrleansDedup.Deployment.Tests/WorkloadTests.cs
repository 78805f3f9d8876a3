namespace OrleansDedup.Deployment.Tests;

/// <summary>Kind-appropriate structure of every object, selectors against labels, and every reference resolved.</summary>
public class WorkloadTests
{
    private static readonly Deployment D = Deployment.Instance;

    private static readonly Dictionary<string, string> ApiVersions = new()
    {
        ["Namespace"] = "v1", ["Service"] = "v1", ["PersistentVolumeClaim"] = "v1", ["ServiceAccount"] = "v1",
        ["ConfigMap"] = "v1", ["Secret"] = "v1", ["Deployment"] = "apps/v1", ["StatefulSet"] = "apps/v1",
        ["Job"] = "batch/v1", ["HorizontalPodAutoscaler"] = "autoscaling/v2", ["PodDisruptionBudget"] = "policy/v1",
        ["Role"] = "rbac.authorization.k8s.io/v1", ["RoleBinding"] = "rbac.authorization.k8s.io/v1",
    };

    [Fact]
    public void Every_kind_is_known_with_its_current_api_version()
    {
        foreach (var o in D.Objects)
        {
            Assert.True(ApiVersions.ContainsKey(o.Kind!), $"{o}: kind not expected here");
            Assert.True(ApiVersions[o.Kind!] == o.ApiVersion, $"{o}: apiVersion {o.ApiVersion}, expected {ApiVersions[o.Kind!]}");
        }
    }

    [Fact]
    public void Every_workload_selector_matches_its_pod_template_labels()
    {
        foreach (var w in D.Objects.Where(o => o.Kind is "Deployment" or "StatefulSet"))
        {
            var selector = w.Doc.StringMap("spec", "selector", "matchLabels");
            Assert.True(selector.Count > 0, $"{w}: no spec.selector.matchLabels");
            Assert.True(Deployment.Matches(selector, Deployment.Template(w).Labels), $"{w}: the selector does not match the pod template's labels");
        }
        // No two workloads' selectors catch each other's pods.
        var templates = D.PodTemplates.Where(t => t.Owner.Kind is "Deployment" or "StatefulSet").ToList();
        foreach (var a in templates)
        {
            foreach (var b in templates.Where(b => b != a))
            Assert.False(Deployment.Matches(a.Owner.Doc.StringMap("spec", "selector", "matchLabels"), b.Labels), $"{a}'s selector matches {b}'s pods");
        }
    }

    [Fact]
    public void Every_container_has_an_image_resources_and_a_restricted_security_context()
    {
        foreach (var t in D.PodTemplates)
        {
            var pod = t.Spec.Map("securityContext");
            Assert.True(pod is not null, $"{t}: no pod securityContext");
            Assert.Equal("true", pod.Str("runAsNonRoot"));
            Assert.Equal("RuntimeDefault", pod.Str("seccompProfile", "type"));
            Assert.NotEqual("0", pod.Str("runAsUser"));
            Assert.Null(t.Spec.At("hostNetwork"));
            Assert.Null(t.Spec.At("hostPID"));
            foreach (var v in t.Volumes)
            {
                Assert.True(v.Keys.Cast<string>().Any(k => k is "configMap" or "secret" or "persistentVolumeClaim" or "emptyDir" or "projected" or "downwardAPI"),
                    $"{t}: volume {v.Str("name")} is of a type the restricted pod security standard forbids or this deployment does not expect");
            }

            Assert.NotEmpty(t.Containers);
            foreach (var c in t.AllContainers)
            {
                var where = $"{t}, container {c.Str("name")}";
                Assert.False(string.IsNullOrEmpty(c.Str("name")), $"{t}: a container without a name");
                Assert.False(string.IsNullOrEmpty(c.Str("image")), $"{where}: no image");
                Assert.DoesNotContain(":latest", c.Str("image"));
                foreach (var part in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    Assert.True(c.Str("resources", part, resource) is not null, $"{where}: no resources.{part}.{resource}");
                }

                var sc = c.Map("securityContext");
                Assert.True(sc is not null, $"{where}: no securityContext");
                Assert.True(sc.Str("allowPrivilegeEscalation") == "false", $"{where}: allowPrivilegeEscalation must be false");
                Assert.True(sc.Str("readOnlyRootFilesystem") == "true", $"{where}: readOnlyRootFilesystem must be true");
                Assert.True(sc.Str("runAsNonRoot") == "true", $"{where}: runAsNonRoot must be true");
                Assert.True(sc.Str("privileged") is null or "false", $"{where}: privileged");
                Assert.Contains("ALL", sc.List("capabilities", "drop").Cast<string>());
                Assert.Empty(sc.List("capabilities", "add"));
                Assert.Equal("RuntimeDefault", sc.Str("seccompProfile", "type"));

                var volumes = t.Volumes.Select(v => v.Str("name")).Concat(
                    t.Owner.Doc.Maps("spec", "volumeClaimTemplates").Select(v => v.Str("metadata", "name"))).ToHashSet();
                foreach (var m in c.Maps("volumeMounts"))
                    Assert.True(volumes.Contains(m.Str("name")), $"{where}: mounts volume {m.Str("name")}, which the pod does not have");
            }
        }
    }

    [Fact]
    public void Long_running_containers_have_ports_and_readiness_and_liveness_probes()
    {
        foreach (var t in D.PodTemplates.Where(t => t.Owner.Kind is "Deployment" or "StatefulSet"))
        {
            foreach (var c in t.Containers)
        {
            var where = $"{t}, container {c.Str("name")}";
            var ports = c.Maps("ports").ToList();
            Assert.True(ports.Count > 0, $"{where}: no ports");
            foreach (var p in ports)
            {
                Assert.True(int.TryParse(p.Str("containerPort"), out var n) && n is > 0 and < 65536, $"{where}: bad containerPort");
                Assert.Matches("^[a-z0-9-]{1,15}$", p.Str("name") ?? "");
            }
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                var spec = c.Map(probe);
                Assert.True(spec is not null, $"{where}: no {probe}");
                if (spec.Map("httpGet") is { } http)
                    Assert.True(PortOf(c, http.Str("port")) is not null, $"{where}: {probe} port {http.Str("port")} is not a container port");
                else
                    Assert.True(spec.Map("exec") is not null || spec.Map("tcpSocket") is not null, $"{where}: {probe} has no handler");
            }
        }
        }
    }

    [Fact]
    public void Every_service_selects_a_workload_and_targets_its_container_ports()
    {
        foreach (var s in D.OfKind("Service"))
        {
            var selector = s.Doc.StringMap("spec", "selector");
            var targets = D.PodTemplates.Where(t => Deployment.Matches(selector, t.Labels)).ToList();
            Assert.True(targets.Count > 0, $"{s}: its selector matches no pod template");
            var ports = s.Doc.Maps("spec", "ports").ToList();
            Assert.NotEmpty(ports);
            foreach (var p in ports)
            {
                var target = p.Str("targetPort") ?? p.Str("port");
                foreach (var t in targets)
                    Assert.True(t.Containers.Any(c => PortOf(c, target) is not null), $"{s}: targetPort {target} is no container port of {t}");
            }
        }
        foreach (var sts in D.OfKind("StatefulSet"))
            D.Get("Service", sts.Doc.Str("spec", "serviceName")!);
    }

    [Fact]
    public void Every_referenced_configmap_secret_pvc_and_service_account_exists()
    {
        var configMaps = D.OfKind("ConfigMap").Select(o => o.Name!).Concat(D.ConfigMapGenerators.Keys).ToHashSet();
        var secretKeys = D.SecretKeys();
        var claims = D.OfKind("PersistentVolumeClaim").Select(o => o.Name!).ToHashSet();
        var accounts = D.OfKind("ServiceAccount").Select(o => o.Name!).Append("default").ToHashSet();
        var references = 0;
        foreach (var t in D.PodTemplates)
        {
            if (t.Spec.Str("serviceAccountName") is { } sa) Assert.True(accounts.Contains(sa), $"{t}: no ServiceAccount {sa}");
            foreach (var v in t.Volumes)
            {
                if (v.Str("configMap", "name") is { } cm) { references++; Assert.True(configMaps.Contains(cm), $"{t}: no ConfigMap {cm}"); }
                if (v.Str("secret", "secretName") is Deployment.TlsSecret)
                {
                    references++;
                    foreach (var item in v.Maps("secret", "items"))
                        Assert.True(Deployment.TlsSecretKeys.Contains(item.Str("key")), $"{t}: the TLS Secret has no key {item.Str("key")}");
                }
                else if (v.Str("secret", "secretName") is { } sec) { references++; Assert.True(secretKeys.ContainsKey(sec), $"{t}: no Secret {sec}"); }
                if (v.Str("persistentVolumeClaim", "claimName") is { } pvc) { references++; Assert.True(claims.Contains(pvc), $"{t}: no PersistentVolumeClaim {pvc}"); }
            }
            foreach (var c in t.AllContainers)
            {
                foreach (var e in c.Maps("env"))
                {
                    if (e.Map("valueFrom", "secretKeyRef") is { } sk)
                    {
                        references++;
                        Assert.True(secretKeys.TryGetValue(sk.Str("name")!, out var keys), $"{t}: no Secret {sk.Str("name")}");
                        Assert.True(keys.Contains(sk.Str("key")!), $"{t}: Secret {sk.Str("name")} has no key {sk.Str("key")} (see secret.env.example)");
                    }
                    if (e.Map("valueFrom", "configMapKeyRef") is { } ck)
                    {
                        references++;
                        Assert.True(D.ConfigMapGenerators.TryGetValue(ck.Str("name")!, out var files), $"{t}: no ConfigMap {ck.Str("name")}");
                        Assert.True(files.ContainsKey(ck.Str("key")!), $"{t}: ConfigMap {ck.Str("name")} has no key {ck.Str("key")}");
                    }
                }
                foreach (var e in c.Maps("envFrom"))
                {
                    if (e.Str("secretRef", "name") is { } sec) Assert.True(secretKeys.ContainsKey(sec), $"{t}: no Secret {sec}");
                    if (e.Str("configMapRef", "name") is { } cm) Assert.True(configMaps.Contains(cm), $"{t}: no ConfigMap {cm}");
                }
            }
        }
        Assert.True(references >= 10, $"only {references} references found: the walk is broken");
    }

    [Fact]
    public void Every_role_binding_binds_an_existing_role_to_existing_service_accounts()
    {
        foreach (var b in D.OfKind("RoleBinding"))
        {
            Assert.Equal("Role", b.Doc.Str("roleRef", "kind"));
            D.Get("Role", b.Doc.Str("roleRef", "name")!);
            foreach (var s in b.Doc.Maps("subjects"))
            {
                Assert.Equal("ServiceAccount", s.Str("kind"));
                D.Get("ServiceAccount", s.Str("name")!);
            }
        }
    }

    [Fact]
    public void Persistent_volume_claims_ask_for_storage_and_the_shared_ones_are_read_write_many()
    {
        foreach (var pvc in D.OfKind("PersistentVolumeClaim"))
        {
            Assert.NotEmpty(pvc.Doc.List("spec", "accessModes"));
            Assert.False(string.IsNullOrEmpty(pvc.Doc.Str("spec", "resources", "requests", "storage")), $"{pvc}: no storage request");
        }
        // A claim mounted by a workload that may run more than one pod must be ReadWriteMany.
        foreach (var t in D.PodTemplates.Where(t => t.Owner.Doc.Str("spec", "replicas") != "1"))
        {
            foreach (var claim in t.Volumes.Select(v => v.Str("persistentVolumeClaim", "claimName")).OfType<string>())
            Assert.Contains("ReadWriteMany", D.Get("PersistentVolumeClaim", claim).Doc.List("spec", "accessModes").Cast<string>());
        }
    }

    /// <summary>The container port a probe or Service port names (by name or number), or null.</summary>
    public static int? PortOf(IDictionary<object, object?> container, string? port)
    {
        foreach (var p in container.Maps("ports"))
        {
            if (p.Str("name") == port || p.Str("containerPort") == port)
                return int.Parse(p.Str("containerPort")!);
        }

        return null;
    }
}
