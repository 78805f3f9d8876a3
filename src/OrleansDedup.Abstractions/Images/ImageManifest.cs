namespace OrleansDedup.Abstractions.Images;

/// <summary>Where an image's recipe lives: one recipe file per segment, relative to the data directory.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageManifest([property: Id(0)] ImageInfo Image, [property: Id(1)] string[] SegmentRecipes);
