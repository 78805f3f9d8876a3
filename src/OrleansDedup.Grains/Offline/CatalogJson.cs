using System.Text.Json.Serialization;
using OrleansDedup.Grains.Images;

namespace OrleansDedup.Grains.Offline;

/// <summary>The rows the silo-free reads need, serialized by code generated at build time.</summary>
[JsonSerializable(typeof(ImageRecord))]
[JsonSerializable(typeof(CatalogState))]
internal sealed partial class CatalogJson : JsonSerializerContext;
