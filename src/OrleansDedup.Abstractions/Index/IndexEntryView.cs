using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Index;

/// <summary>What the index knows of one fingerprint.</summary>
[GenerateSerializer, Immutable]
public readonly record struct IndexEntryView(
    [property: Id(0)] Fingerprint Fingerprint,
    [property: Id(1)] bool Found,
    [property: Id(2)] ChunkLocation Location,
    [property: Id(3)] AliasPiece[]? Pieces);
