using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Operations;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>A host's cache and recipes seen as a store, so that the grid's <see cref="ImageRestorer"/> restores and checks
/// an image from them alone: no alias resolution, no access to the grid's index (the cache holds assembled blocks).</summary>
internal sealed class HostStoreView(string host, HostRecipes recipes, HostChunkCache cache) : IStoreView
{
    public Task<string[]> ImageNames() => Task.FromResult(recipes.Images());

    /// <summary>Only what a restore reads is known: name, size, digest and segments.</summary>
    public Task<ImageInfo?> GetInfo(string image) => Task.FromResult(recipes.Held(image) is { } held
        ? new ImageInfo(held.Name, "", held.Size, default, held.Digest, default, held.Segments, DedupStats.Empty, 0)
        : null);

    public async Task<ImageManifest?> GetManifest(string image) => await GetInfo(image) is { } info
        ? new ImageManifest(info, Enumerable.Range(0, info.Segments).Select(s => HostRecipes.SegmentPath(image, s)).ToArray())
        : null;

    public Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints) => Task.FromResult(cache.Resolve(fingerprints, host));

    public Task<ShardStats[]> ShardStats() => Task.FromResult<ShardStats[]>([]);
}
