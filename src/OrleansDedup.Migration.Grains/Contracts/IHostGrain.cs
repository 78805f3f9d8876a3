using OrleansDedup.Chunking;

namespace OrleansDedup.Migration.Grains.Contracts;

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
