using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Grains.Images;

/// <summary>An image grain's row in the catalog database.</summary>
[GenerateSerializer]
public sealed class ImageRecord
{
    [Id(0)] public ImageInfo? Info { get; set; }
    [Id(1)] public string[] SegmentRecipes { get; set; } = [];

    /// <summary>The ingest under way, recorded before it starts, so that an activation that finds it after its silo
    /// died knows the ingest was interrupted rather than never asked for.</summary>
    [Id(2)] public IngestMarker? Ingesting { get; set; }
}

[GenerateSerializer, Immutable]
public sealed record IngestMarker([property: Id(0)] Guid IngestId, [property: Id(1)] string Path, [property: Id(2)] DateTimeOffset Started);
