using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;

namespace OrleansDedup.Grains.Operations;

/// <summary>What the reads of a store (restore, stats) need from its catalog and index: through the grid
/// (<see cref="GridStoreView"/>), or straight from the files of an embedded store that no silo holds
/// (<see cref="Offline.OfflineStore"/>), which answers before a silo would have started.</summary>
public interface IStoreView
{
    Task<string[]> ImageNames();

    Task<ImageInfo?> GetInfo(string image);

    Task<ImageManifest?> GetManifest(string image);

    Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints);

    Task<ShardStats[]> ShardStats();
}
