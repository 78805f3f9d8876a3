using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Operations;

/// <summary>Per image and overall: sizes, chunk kinds, dedup and compression, and how the index is spread.</summary>
public sealed class StoreStatistics(IStoreView view, ChunkStore store, StoreLayout layout)
{
    public async Task<StoreReport> Collect()
    {
        var names = await view.ImageNames();
        var images = (await Task.WhenAll(names.Select(view.GetInfo))).OfType<ImageInfo>().ToArray();
        var shards = await view.ShardStats();
        var recipes = Directory.Exists(layout.Recipes)
            ? new DirectoryInfo(layout.Recipes).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : 0;
        recipes += layout.Runs.Bytes();
        var packs = store.ListPacks();
        var raw = PackRawSizes.Total(store, packs);
        return new StoreReport(images, images.Sum(i => i.Size), packs.Sum(p => p.Length), shards.Sum(s => s.ChunkBytes),
            shards.Sum(s => s.MetadataBytes), recipes, shards, raw, store.Settings.Compression.ToString());
    }
}
