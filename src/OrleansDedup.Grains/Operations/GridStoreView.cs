using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;

namespace OrleansDedup.Grains.Operations;

/// <summary>The store as the grid's grains hold it: the catalog and image grains, and the index shards.</summary>
public sealed class GridStoreView(IGrainFactory grains, IndexRouter index) : IStoreView
{
    public Task<string[]> ImageNames() => grains.GetGrain<ICatalogGrain>(0).List();

    public Task<ImageInfo?> GetInfo(string image) => grains.GetGrain<IImageGrain>(image).GetInfo();

    public Task<ImageManifest?> GetManifest(string image) => grains.GetGrain<IImageGrain>(image).GetManifest();

    public Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints) => index.Resolve(fingerprints);

    public Task<ShardStats[]> ShardStats() => Task.WhenAll(Enumerable.Range(0, index.ShardCount).Select(s => index.Shard(s).GetStats()));
}
