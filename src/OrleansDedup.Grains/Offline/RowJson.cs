using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace OrleansDedup.Grains.Offline;

/// <summary>
/// Reads a grain-state row as Orleans' ADO.NET storage writes it: Newtonsoft JSON with <c>$id</c>/<c>$ref</c> reference
/// metadata, <c>$type</c> names, and collections wrapped as <c>{"$type": …, "$values": […]}</c>. Without that metadata it
/// is plain JSON, which the build-time serializer below reads; Newtonsoft's own reader builds its contracts with
/// reflection and emitted code on first use, a sixth of what `list` cost.
/// </summary>
internal static class RowJson
{
    public static T? Read<T>(byte[] payload, JsonTypeInfo<T> type)
    {
        var references = new Dictionary<string, JsonNode>();
        return Plain(JsonNode.Parse(payload), references) is { } node ? node.Deserialize(type) : default;
    }

    private static JsonNode? Plain(JsonNode? node, Dictionary<string, JsonNode> references)
    {
        switch (node)
        {
            case JsonArray array:
                var items = array.Select(item => Plain(item?.DeepClone(), references)).ToArray();
                return new JsonArray(items);
            case JsonObject obj when obj["$ref"] is { } reference:
                return references.TryGetValue(reference.GetValue<string>(), out var target)
                    ? target.DeepClone()
                    : throw new JsonException($"a row refers to object {reference} before defining it");
            case JsonObject obj when obj["$values"] is JsonArray values:
                return Plain(values.DeepClone(), references);
            case JsonObject obj:
                var plain = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (!name.StartsWith('$')) plain[name] = Plain(value?.DeepClone(), references);
                }
                if (obj["$id"] is { } id) references[id.GetValue<string>()] = plain;
                return plain;
            default:
                return node;
        }
    }
}
