using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Migration;

/// <summary>A physical host's capacity: CPU (MIPS per core, cores), RAM and link bandwidth (bytes per second).</summary>
[GenerateSerializer, Immutable]
public sealed record HostCapacity(
    [property: Id(0)] double MipsPerCore,
    [property: Id(1)] int Cores,
    [property: Id(2)] long RamBytes,
    [property: Id(3)] double BandwidthBytesPerSecond);

/// <summary>A batch of chunk bytes for a host's cache: chunk i is <c>raw[Offsets[i]..Offsets[i + 1]]</c>, where raw is
/// <see cref="Data"/>, or its decompression when <see cref="Compressed"/> (one zstd frame: what crosses the wire).</summary>
[GenerateSerializer, Immutable]
public sealed record ChunkBatch(
    [property: Id(0)] Fingerprint[] Fingerprints,
    [property: Id(1)] int[] Offsets,
    [property: Id(2)] byte[] Data,
    [property: Id(3)] bool Compressed = false);

/// <summary>One segment recipe of an image, as the destination keeps it: the recipe file's bytes and the runs it names.</summary>
[GenerateSerializer, Immutable]
public sealed record RecipeCopy(
    [property: Id(0)] string Image,
    [property: Id(1)] int Segment,
    [property: Id(2)] int SegmentCount,
    [property: Id(3)] long ImageSize,
    [property: Id(4)] string ImageDigest,
    [property: Id(5)] byte[] Recipe,
    [property: Id(6)] RecipeRunCopy[] Runs);

[GenerateSerializer, Immutable]
public sealed record HostCacheStats(
    [property: Id(0)] string Host,
    [property: Id(1)] string Silo,
    [property: Id(2)] long Chunks,
    [property: Id(3)] long ChunkBytes,
    [property: Id(4)] string[] Images);

/// <summary>
/// A physical host of the simulated data centre (key: the host's name), activated on the silo that models it (silo
/// metadata; hash placement when no silo claims it). It keeps a local chunk cache, the fingerprints and bytes it holds,
/// in a chunk store of its own under <c>{data}/hosts/{host}/</c>, plus the recipes of the images it holds.
/// </summary>
public interface IHostGrain : IGrainWithStringKey
{
    Task Configure(HostCapacity capacity);

    [ReadOnly]
    Task<HostCapacity?> GetCapacity();

    /// <summary>The name of the silo this activation runs on.</summary>
    [ReadOnly]
    Task<string> GetSilo();

    /// <summary>The set difference: those of <paramref name="fingerprints"/> the cache does not hold. One call per batch.</summary>
    [ReadOnly]
    Task<Fingerprint[]> Missing(Fingerprint[] fingerprints);

    /// <summary>Adds chunks to the cache (each checked against its fingerprint, durable on return); returns bytes written.</summary>
    Task<long> Store(ChunkBatch batch);

    /// <summary>Keeps a recipe of an image, so that the image can be restored from this host's cache alone.</summary>
    Task StoreRecipe(RecipeCopy recipe);

    [ReadOnly]
    Task<bool> HoldsImage(string image);

    /// <summary>Writes the image back from this host's cache and recipes into <paramref name="outputPath"/> (a path on the
    /// silo's file system), checking every chunk and the image digest; returns the bytes written.</summary>
    Task<long> RestoreImage(string image, string outputPath);

    [ReadOnly]
    Task<HostCacheStats> GetCacheStats();
}
