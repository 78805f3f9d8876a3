using OrleansDedup.Chunking;

namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>A batch of chunk bytes for a host's cache: chunk i is <c>raw[Offsets[i]..Offsets[i + 1]]</c>, where raw is
/// <see cref="Data"/>, or its decompression when <see cref="Compressed"/> (one zstd frame: what crosses the wire).</summary>
[GenerateSerializer, Immutable]
public sealed record ChunkBatch(
    [property: Id(0)] Fingerprint[] Fingerprints,
    [property: Id(1)] int[] Offsets,
    [property: Id(2)] byte[] Data,
    [property: Id(3)] bool Compressed = false);
