using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace OrleansDedup.Deployment.Tests;

/// <summary>YAML as plain trees (maps, lists, string scalars) and small accessors over them.</summary>
public static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    /// <summary>Every document of a (multi-document) YAML text; empty documents are left out. Throws on bad YAML.</summary>
    public static List<object> LoadAll(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var documents = new List<object>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = Deserializer.Deserialize<object?>(parser);
            if (document is not null) documents.Add(document);
        }
        return documents;
    }

    public static object LoadOne(string text) => Assert.Single(LoadAll(text));

    public static object? At(this object? node, params string[] path)
    {
        foreach (var key in path)
            node = node is IDictionary<object, object?> map && map.TryGetValue(key, out var value) ? value : null;
        return node;
    }

    public static string? Str(this object? node, params string[] path) => node.At(path) as string;

    public static IDictionary<object, object?>? Map(this object? node, params string[] path) => node.At(path) as IDictionary<object, object?>;

    public static IReadOnlyList<object?> List(this object? node, params string[] path) =>
        node.At(path) is IList<object?> list ? list.ToList() : [];

    public static IEnumerable<IDictionary<object, object?>> Maps(this object? node, params string[] path) =>
        node.List(path).OfType<IDictionary<object, object?>>();

    public static Dictionary<string, string> StringMap(this object? node, params string[] path) =>
        node.Map(path)?.ToDictionary(e => (string)e.Key, e => e.Value as string ?? "") ?? [];

    public static string Serialize(object node) => new SerializerBuilder().Build().Serialize(node);
}
