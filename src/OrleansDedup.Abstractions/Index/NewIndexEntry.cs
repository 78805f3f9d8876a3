using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Index;

/// <summary>An index entry to add: a stored chunk (Location) or an alias of pieces of stored chunks (Pieces).</summary>
[GenerateSerializer, Immutable]
public readonly record struct NewIndexEntry(
    [property: Id(0)] Fingerprint Fingerprint,
    [property: Id(1)] ChunkLocation Location,
    [property: Id(2)] AliasPiece[]? Pieces);
