using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Packs;

/// <summary>One complete record found in a pack: the fingerprint stored beside the data, and where the data is.</summary>
public readonly record struct PackRecord(Fingerprint Fingerprint, ChunkLocation Location);
