namespace OrleansDedup.Abstractions.Index;

[GenerateSerializer, Immutable]
public sealed record ShardStats(
    [property: Id(0)] int Shard,
    [property: Id(1)] long Chunks,
    [property: Id(2)] long Aliases,
    [property: Id(3)] long ChunkBytes,
    [property: Id(4)] long MetadataBytes,
    [property: Id(5)] string Silo);
