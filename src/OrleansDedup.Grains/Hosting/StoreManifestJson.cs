using System.Text.Json.Serialization;

namespace OrleansDedup.Grains.Hosting;

/// <summary>The manifest's JSON, generated at build time: every command reads the manifest first, and the reflection-based
/// serializer's warm-up cost a read-only command about a sixth of its time.</summary>
[JsonSerializable(typeof(StoreManifest))]
internal sealed partial class StoreManifestJson : JsonSerializerContext;
