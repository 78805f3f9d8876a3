using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Storage.Index;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Offline;

/// <summary>
/// An embedded store read straight from its files, without a silo: the catalog's rows, the index shards' journals,
/// the packs and recipes. A silo takes seconds to start; `list`, `stats` and `restore` need none of what it adds, since
/// nothing else may use an embedded store meanwhile: this holds the store's lock as the embedded silo does.
/// The shards are loaded, all at once, only by the first read that needs them.
/// </summary>
public sealed class OfflineStore : IStoreView, IDisposable
{
    private const string SiloName = "embedded";

    private readonly FileStream _lock;
    private readonly CatalogRows _catalog;
    private readonly Lazy<ShardIndex[]> _shards;
    private readonly int _shardCount;

    private OfflineStore(FileStream lockFile, DedupOptions options, string serviceId)
    {
        _lock = lockFile;
        Layout = new StoreLayout(options.DataDirectory);
        Chunks = SharedChunkStores.For(Layout.Root, options.Packs);
        _catalog = new CatalogRows(Layout.CatalogDatabase, serviceId);
        _shardCount = options.ShardCount;
        _shards = new Lazy<ShardIndex[]>(() =>
        {
            var shards = new ShardIndex[_shardCount];
            Parallel.For(0, _shardCount, s => shards[s] = new ShardIndex(Layout.Index, s));
            return shards;
        });
    }

    public StoreLayout Layout { get; }

    public ChunkStore Chunks { get; }

    /// <summary>Opens the store in <see cref="DedupOptions.DataDirectory"/>, adopting its settings into
    /// <paramref name="options"/>; null if the directory holds no store yet (nothing is created).</summary>
    /// <exception cref="StoreBusyException">Another process holds the store.</exception>
    /// <exception cref="StoreFormatException">The store is of another version, or asked for another compression.</exception>
    public static OfflineStore? Open(DedupOptions options, string serviceId)
    {
        var layout = new StoreLayout(options.DataDirectory);
        if (!File.Exists(layout.Manifest)) return null;
        var lockFile = StoreLock.Exclusive(layout.Root);
        try
        {
            return StoreManifest.TryAdopt(layout, options) ? new OfflineStore(lockFile, options, serviceId) : null;
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    public Task<string[]> ImageNames() => Task.FromResult(_catalog.ImageNames());

    public Task<ImageInfo?> GetInfo(string image) => Task.FromResult(_catalog.Image(image)?.Info);

    public Task<ImageManifest?> GetManifest(string image) =>
        Task.FromResult(_catalog.Image(image) is { Info: { } info } record ? new ImageManifest(info, record.SegmentRecipes) : null);

    public Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints)
    {
        var shards = _shards.Value;
        var views = new IndexEntryView[fingerprints.Length];
        for (var i = 0; i < views.Length; i++)
            views[i] = shards[fingerprints[i].Shard(shards.Length)].Resolve(fingerprints[i]);
        return Task.FromResult(views);
    }

    /// <summary>From the shards' summaries where they match their journals, which spares loading the index.</summary>
    public Task<ShardStats[]> ShardStats()
    {
        var summaries = Enumerable.Range(0, _shardCount).Select(s => ShardSummary.TryRead(Layout.Index, s)).ToArray();
        if (summaries.All(s => s is not null))
            return Task.FromResult(summaries.Select((s, shard) => s!.Value.ToStats(shard, SiloName)).ToArray());
        return Task.FromResult(_shards.Value.Select((index, shard) => index.Stats(shard, SiloName)).ToArray());
    }

    public void Dispose()
    {
        if (_shards.IsValueCreated)
            foreach (var shard in _shards.Value) shard.Dispose();
        _catalog.Dispose();
        _lock.Dispose();
    }
}
