namespace OrleansDedup.Abstractions.Index;

/// <summary>Live bytes a shard holds in one pack file; garbage collection compacts packs that are mostly dead.</summary>
[GenerateSerializer, Immutable]
public readonly record struct PackUsage([property: Id(0)] int Pack, [property: Id(1)] long LiveBytes);
