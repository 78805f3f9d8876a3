namespace OrleansDedup.Storage.Index;

/// <summary>What a shard holds: chunks and aliases, the chunk bytes they reference and the journal bytes.</summary>
public readonly record struct ShardCounts(long Chunks, long Aliases, long ChunkBytes, long MetadataBytes);
