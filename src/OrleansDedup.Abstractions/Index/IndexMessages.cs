using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Index;

/// <summary>An index entry to add: a stored chunk (Location) or an alias of pieces of stored chunks (Pieces).</summary>
[GenerateSerializer, Immutable]
public readonly record struct NewIndexEntry(
    [property: Id(0)] Fingerprint Fingerprint,
    [property: Id(1)] ChunkLocation Location,
    [property: Id(2)] AliasPiece[]? Pieces);

/// <summary>What a claim found for one fingerprint (see <see cref="IFingerprintIndexGrain.Claim"/>). Pending: another
/// ingest is storing it. Known: indexed. Owned: claimed for the caller, who stores the bytes and inserts the entry.</summary>
public enum ClaimState : byte { Pending, Known, Owned }

/// <summary>Who holds a claim: one attempt at a segment, and the silo it runs on, so that a shard can pass the claim on as
/// soon as the cluster declares that silo dead.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ClaimOwner([property: Id(0)] Guid Id, [property: Id(1)] Orleans.Runtime.SiloAddress Silo);

[GenerateSerializer, Immutable]
public sealed record InsertBatch([property: Id(0)] NewIndexEntry[] Entries);

/// <summary>What the index knows of one fingerprint.</summary>
[GenerateSerializer, Immutable]
public readonly record struct IndexEntryView(
    [property: Id(0)] Fingerprint Fingerprint,
    [property: Id(1)] bool Found,
    [property: Id(2)] ChunkLocation Location,
    [property: Id(3)] AliasPiece[]? Pieces);

[GenerateSerializer, Immutable]
public sealed record ShardStats(
    [property: Id(0)] int Shard,
    [property: Id(1)] long Chunks,
    [property: Id(2)] long Aliases,
    [property: Id(3)] long ChunkBytes,
    [property: Id(4)] long MetadataBytes,
    [property: Id(5)] string Silo);

/// <summary>Live bytes a shard holds in one pack file; garbage collection compacts packs that are mostly dead.</summary>
[GenerateSerializer, Immutable]
public readonly record struct PackUsage([property: Id(0)] int Pack, [property: Id(1)] long LiveBytes);

/// <summary>A chunk moved by compaction: the index follows it only if it still points at the old place.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ChunkMove(
    [property: Id(0)] Fingerprint Fingerprint,
    [property: Id(1)] ChunkLocation From,
    [property: Id(2)] ChunkLocation To);
