namespace OrleansDedup.Migration.Grains.Contracts;

[GenerateSerializer, Immutable]
public sealed record HostCacheStats(
    [property: Id(0)] string Host,
    [property: Id(1)] string Silo,
    [property: Id(2)] long Chunks,
    [property: Id(3)] long ChunkBytes,
    [property: Id(4)] string[] Images);
