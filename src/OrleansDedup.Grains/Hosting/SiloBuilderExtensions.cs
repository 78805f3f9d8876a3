using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using OrleansDedup.Abstractions.Serialization;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Grains.Pipeline;
using OrleansDedup.Grains.Placement;
using OrleansDedup.Sql;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>Grains whose place each of the silo's two directory caches keeps. Orleans sizes both for a million up
    /// front: 18 MiB of every silo and every CLI command that starts one. A grid's active grains are its images, their
    /// running segments and its shards. Any size configured for <see cref="GrainDirectoryOptions"/>, before or after
    /// the grid is added, stays.</summary>
    public const int DirectoryCacheSize = 100_000;

    /// <summary>Adds the dedup grid to a silo: the chunk store, the index router, the catalog's grain storage on
    /// SQLite in the data directory, and the operations that read the store (restore, verify, stats).</summary>
    public static ISiloBuilder AddDedupGrid(this ISiloBuilder silo, Action<DedupOptions> configure) =>
        silo.AddDedupGrid(options => options.Configure(configure));

    /// <summary>Adds the dedup grid with its <see cref="DedupOptions"/> configured on their options builder (e.g.
    /// <c>options.Bind(section)</c>); the store is reconciled with its manifest before any service reads them.</summary>
    /// <remarks>Reading the options (at start, or <c>IOptions&lt;DedupOptions&gt;.Value</c>) may throw
    /// <see cref="OptionsValidationException"/> for settings the validator refuses, and <see cref="StoreFormatException"/>
    /// or another <see cref="IOException"/> for a store made with other settings or out of reach.</remarks>
    public static ISiloBuilder AddDedupGrid(this ISiloBuilder silo, Action<OptionsBuilder<DedupOptions>> configure)
    {
        silo.Services.AddDedupOptions(configure).PostConfigure(PrepareStore);
        silo.AddAdoNetGrainStorage(StorageNames.Catalog, (OptionsBuilder<AdoNetGrainStorageOptions> storage) =>
            storage.Configure<IOptions<DedupOptions>>((o, dedup) =>
            {
                var sqlite = dedup.Value.CatalogOnSqlite;
                o.Invariant = sqlite ? SqliteGrainStorageSchema.Invariant : PostgreSqlSchema.Invariant;
                o.ConnectionString = sqlite
                    ? SqliteGrainStorageSchema.ConnectionString(new StoreLayout(dedup.Value.DataDirectory).CatalogDatabase)
                    : dedup.Value.CatalogConnectionString;
                // A deleted image leaves no row behind.
                o.DeleteStateOnClear = true;
            }));
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Catalog, (sp, name) => new SingleWriterGrainStorage(
            AdoNetGrainStorageFactory.Create(sp, (string)name!),
            serialize: sp.GetRequiredService<IOptions<DedupOptions>>().Value.CatalogOnSqlite));
        // A segment of 1 GiB on a slow disk takes longer than Orleans' default 30 s; a dead silo is still noticed
        // by membership, which fails its calls early.
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(10));
        // The default directory loses the registrations a dead silo held and deactivates their grains on the survivors
        // too: a third of the index shards and of the running ingests would end with any silo. This one recovers
        // the registrations from the survivors instead, and never lets a grain have two activations.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Services.PostConfigure<GrainDirectoryOptions>(o =>
        {
            if (o.CacheSize == GrainDirectoryOptions.DEFAULT_CACHE_SIZE) o.CacheSize = DirectoryCacheSize;
        });
        silo.Services.AddDatabaseErrorTransport();
        silo.AddOutgoingGrainCallFilter<SiloLossRetryFilter>();
        silo.Services.AddSingleton(sp => new StoreLayout(sp.GetRequiredService<IOptions<DedupOptions>>().Value.DataDirectory));
        silo.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DedupOptions>>().Value;
            return SharedChunkStores.For(options.DataDirectory, options.Packs);
        });
        silo.Services.AddSingleton(sp => new DedupMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<ChunkStore>()));
        silo.Services.AddSingleton<IndexRouter>();
        silo.Services.AddSingleton<SegmentSlots>();
        silo.Services.AddPlacementDirector<ShardPlacementStrategy, ShardPlacementDirector>();
        silo.Services.AddSingleton<IStoreView, GridStoreView>();
        silo.Services.AddSingleton<ImageRestorer>();
        silo.Services.AddSingleton<StoreVerifier>();
        silo.Services.AddSingleton<StoreStatistics>();
        return silo;
    }

    /// <summary>Adopts an existing store's settings, or creates the store with these; settings the validator (which runs
    /// after this) refuses must not create a store.</summary>
    private static void PrepareStore(DedupOptions options)
    {
        if (DedupOptionsValidator.Problem(options) is not null) return;
        var layout = new StoreLayout(options.DataDirectory);
        StoreManifest.Reconcile(layout, options);
        if (options.CatalogOnSqlite)
            SqliteGrainStorageSchema.EnsureCreated(SqliteGrainStorageSchema.ConnectionString(layout.CatalogDatabase));
    }
}
