namespace OrleansDedup.Abstractions.Maintenance;

/// <summary>A run of an image's bytes at an offset; the gaps between runs are zeros.</summary>
[GenerateSerializer, Immutable]
public sealed record RestoreChunk([property: Id(0)] long Offset, [property: Id(1)] byte[] Data);
