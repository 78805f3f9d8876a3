using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Operations;

public sealed class StoreStatistics(IGrainFactory grains, ChunkStore store, IndexRouter index, StoreLayout layout)
{
    public async Task<StoreReport> Collect()
    {
        var names = await grains.GetGrain<ICatalogGrain>(0).List();
        var images = (await Task.WhenAll(names.Select(n => grains.GetGrain<IImageGrain>(n).GetInfo()))).OfType<ImageInfo>().ToArray();
        var shards = await Task.WhenAll(Enumerable.Range(0, index.ShardCount).Select(s => index.Shard(s).GetStats()));
        var recipes = Directory.Exists(layout.Recipes)
            ? new DirectoryInfo(layout.Recipes).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : 0;
        recipes += layout.Runs.Bytes();
        var packs = store.ListPacks();
        var raw = packs.Sum(p => PackScanner.Frames(store.PackPath(p.Id)).Sum(f => (long)f.RawLength));
        return new StoreReport(images, images.Sum(i => i.Size), packs.Sum(p => p.Length), shards.Sum(s => s.ChunkBytes),
            shards.Sum(s => s.MetadataBytes), recipes, shards, raw, store.Settings.Compression.ToString());
    }
}
