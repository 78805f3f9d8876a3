namespace OrleansDedup.Host.Api;

public sealed record ShardResponse(int Shard, string Silo, long Chunks, long Aliases, long ChunkBytes, long MetadataBytes);
