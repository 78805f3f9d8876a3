using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Operations;

/// <summary>The whole store: what its images hold, what it costs on disk, and how the index is spread.</summary>
public sealed record StoreReport(
    ImageInfo[] Images,
    long OriginalBytes,
    long PackBytes,
    long LiveChunkBytes,
    long IndexBytes,
    long RecipeBytes,
    ShardStats[] Shards)
{
    /// <summary>Chunk bytes on disk plus the metadata that the index and recipes cost.</summary>
    public long StoredBytes => PackBytes + IndexBytes + RecipeBytes;

    public double DedupRate => DedupMath.Rate(OriginalBytes, StoredBytes);
}

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
        return new StoreReport(images, images.Sum(i => i.Size), store.TotalBytes(), shards.Sum(s => s.ChunkBytes),
            shards.Sum(s => s.MetadataBytes), recipes, shards);
    }
}
