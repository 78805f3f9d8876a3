namespace OrleansDedup.Host.Api;

public sealed record SiloShardsResponse(string Silo, int Shards, long Chunks, long Aliases, long ChunkBytes);
