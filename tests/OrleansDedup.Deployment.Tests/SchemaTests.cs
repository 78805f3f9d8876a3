using k8s;

namespace OrleansDedup.Deployment.Tests;

/// <summary>Every object of k8s/ against the Kubernetes API schema: KubernetesClient's models are generated from the
/// Kubernetes OpenAPI document, and its strict YAML reader refuses a field the schema does not have, a value of the
/// wrong type and an apiVersion/kind it does not know.</summary>
public class SchemaTests
{
    private static readonly Deployment D = Deployment.Instance;

    public static TheoryData<string> ResourceFiles() => [.. D.Resources];

    [Theory]
    [MemberData(nameof(ResourceFiles))]
    public void Every_object_matches_the_Kubernetes_schema(string file)
    {
        var text = File.ReadAllText(Path.Combine(D.K8s, file));
        var objects = KubernetesYaml.LoadAllFromString(text, strict: true);
        Assert.Equal(D.Objects.Count(o => o.File == file), objects.Count);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject>(o));
    }

    [Fact]
    public void The_schema_check_refuses_a_misspelt_field_a_wrong_type_and_an_unknown_kind()
    {
        var silo = File.ReadAllText(Path.Combine(D.K8s, D.Silo.Owner.File));
        Assert.NotEmpty(KubernetesYaml.LoadAllFromString(silo, strict: true));
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(silo.Replace("serviceName:", "servicename:"), strict: true));
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(silo.Replace("runAsNonRoot:", "runAsNonroot:"), strict: true));
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(silo.Replace("terminationGracePeriodSeconds: ", "terminationGracePeriodSeconds: sixty #"), strict: true));
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(silo.Replace("kind: StatefulSet", "kind: StatefulSett"), strict: true));
    }
}
