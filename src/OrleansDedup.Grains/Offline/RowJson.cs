using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace OrleansDedup.Grains.Offline;

/// <summary>
/// Reads a grain-state row as Orleans' ADO.NET storage writes it: Newtonsoft JSON with <c>$id</c>/<c>$ref</c> reference
/// metadata, <c>$type</c> names, and collections wrapped as <c>{"$type": …, "$values": […]}</c>. With each reference
/// replaced by what it refers to and each collection unwrapped, a build-time serializer reads it (it skips <c>$id</c> and
/// <c>$type</c> as unknown members); Newtonsoft's own reader builds its contracts with reflection and emitted code on
/// first use, a sixth of what `list` cost.
/// </summary>
internal static class RowJson
{
    public static T? Read<T>(byte[] payload, JsonTypeInfo<T> type) =>
        Plain(JsonNode.Parse(payload), []) is { } node ? node.Deserialize(type) : default;

    /// <summary>A copy of <paramref name="node"/> with references resolved and collections unwrapped;
    /// <paramref name="references"/> maps each <c>$id</c> seen so far to its copy.</summary>
    private static JsonNode? Plain(JsonNode? node, Dictionary<string, JsonNode> references) => node switch
    {
        JsonArray array => new JsonArray(array.Select(item => Plain(item, references)).ToArray()),
        JsonObject obj when obj["$ref"] is { } reference => references.TryGetValue(reference.GetValue<string>(), out var target)
            ? target.DeepClone()
            : throw new JsonException($"a row refers to object {reference} before defining it"),
        JsonObject obj when obj["$values"] is JsonArray values => Plain(values, references),
        JsonObject obj => PlainObject(obj, references),
        _ => node?.DeepClone(),
    };

    private static JsonObject PlainObject(JsonObject obj, Dictionary<string, JsonNode> references)
    {
        var plain = new JsonObject();
        foreach (var (name, value) in obj) plain[name] = Plain(value, references);
        if (obj["$id"] is { } id) references[id.GetValue<string>()] = plain;
        return plain;
    }
}
