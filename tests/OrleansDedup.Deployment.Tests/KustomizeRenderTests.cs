namespace OrleansDedup.Deployment.Tests;

/// <summary>Renders k8s/ with the real kustomize (kubectl's built-in one, or a standalone kustomize) where the machine
/// has one, v5 or newer: the output must name every object in the namespace and resolve every generated name.</summary>
public class KustomizeRenderTests
{
    private static readonly Deployment D = Deployment.Instance;

    [SkippableFact]
    public void Kubectl_kustomize_renders_the_manifests()
    {
        var (program, args, reason) = FindKustomize();
        Skip.If(program is null, reason);

        // A copy of k8s/ with the secret file the user would create, made from its example.
        var dir = Directory.CreateTempSubdirectory("k8s-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(D.K8s, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(dir.FullName, Path.GetRelativePath(D.K8s, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
            foreach (var env in D.SecretGenerators.Values.SelectMany(f => f))
                File.Copy(Path.Combine(D.K8s, env + ".example"), Path.Combine(dir.FullName, env), overwrite: true);

            var (code, output) = Tools.Run(program!, [.. args, dir.FullName]);
            Assert.True(code == 0, $"{program} {string.Join(' ', args)} failed:\n{output}");
            var rendered = Yaml.LoadAll(output).Select(d => new K8sObject("rendered", d)).ToList();

            // Every manifest object plus one object per generator, all in the namespace, with the common labels.
            Assert.Equal(D.Objects.Count + D.ConfigMapGenerators.Count + D.SecretGenerators.Count, rendered.Count);
            foreach (var o in rendered)
            {
                if (o.Kind != "Namespace") Assert.Equal("orleans-dedup", o.Doc.Str("metadata", "namespace"));
                Assert.Equal("orleans-dedup", o.Doc.Str("metadata", "labels", "app.kubernetes.io/part-of"));
            }

            // Generated names carry a content hash; every reference in the pod templates was rewritten to one.
            var configMaps = rendered.Where(o => o.Kind == "ConfigMap").Select(o => o.Name!).ToHashSet();
            var secrets = rendered.Where(o => o.Kind == "Secret").Select(o => o.Name!).ToHashSet();
            foreach (var generator in D.ConfigMapGenerators.Keys)
                Assert.Contains(configMaps, n => n.StartsWith(generator + "-"));
            foreach (var t in rendered.Where(o => Deployment.WorkloadKinds.Contains(o.Kind)).Select(Deployment.Template))
            {
                foreach (var v in t.Volumes)
                    if (v.Str("configMap", "name") is { } cm) Assert.Contains(cm, configMaps);
                foreach (var c in t.AllContainers)
                {
                    foreach (var e in c.Maps("env"))
                    if (e.Str("valueFrom", "secretKeyRef", "name") is { } s) Assert.Contains(s, secrets);
                }
            }
            var secret = Assert.Single(rendered, o => o.Kind == "Secret");
            Assert.Equal(D.SecretExample().Keys.Order(), secret.Doc.StringMap("data").Keys.Order());

            // The silo image is the one kustomization.yaml names.
            var silo = rendered.Single(o => o.Kind == "StatefulSet" && o.Name == D.Silo.Owner.Name);
            Assert.Contains(Deployment.Template(silo).Containers, c => Deployment.ImageName(c.Str("image")) == Deployment.SiloImage);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (string? Program, string[] Args, string Reason) FindKustomize()
    {
        if (Tools.Find("kustomize") is { } kustomize) return (kustomize, ["build"], "");
        var kubectl = Tools.Find("kubectl");
        if (kubectl is null) return (null, [], "neither kubectl nor kustomize is installed: the YAML checks of the other tests stand alone");
        var (code, output) = Tools.Run(kubectl, "version", "--client");
        var match = System.Text.RegularExpressions.Regex.Match(output, @"Kustomize Version: v(\d+)");
        if (code != 0 || !match.Success || int.Parse(match.Groups[1].Value) < 5)
            return (null, [], $"kubectl's built-in kustomize is older than v5 or unknown ({output.Trim().Replace('\n', ' ')})");
        return (kubectl, ["kustomize"], "");
    }
}
