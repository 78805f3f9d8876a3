using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Index;

/// <summary>A chunk moved by compaction: the index follows it only if it still points at the old place.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ChunkMove(
    [property: Id(0)] Fingerprint Fingerprint,
    [property: Id(1)] ChunkLocation From,
    [property: Id(2)] ChunkLocation To);
