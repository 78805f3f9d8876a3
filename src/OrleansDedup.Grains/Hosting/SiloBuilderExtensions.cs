using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansDedup.Abstractions.Serialization;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Grains.Placement;
using OrleansDedup.Sql;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>Adds the dedup grid to a silo: the chunk store, the index router, the catalog's grain storage on
    /// SQLite in the data directory, and the operations that read the store (restore, verify, stats).</summary>
    public static ISiloBuilder AddDedupGrid(this ISiloBuilder silo, DedupOptions options)
    {
        options.Validate();
        var layout = new StoreLayout(options.DataDirectory);
        StoreManifest.Reconcile(layout, options);
        var postgres = !string.IsNullOrWhiteSpace(options.CatalogConnectionString);
        var connectionString = postgres ? options.CatalogConnectionString! : SqliteGrainStorageSchema.ConnectionString(layout.CatalogDatabase);
        if (!postgres) SqliteGrainStorageSchema.EnsureCreated(connectionString);

        silo.AddAdoNetGrainStorage(StorageNames.Catalog, o =>
        {
            o.Invariant = postgres ? PostgreSqlSchema.Invariant : SqliteGrainStorageSchema.Invariant;
            o.ConnectionString = connectionString;
            // A deleted image leaves no row behind.
            o.DeleteStateOnClear = true;
        });
        // A segment of 1 GiB on a slow disk takes longer than Orleans' default 30 s; a dead silo is still noticed
        // by membership, which fails its calls early.
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(10));
        // The default directory loses the registrations a dead silo held and deactivates their grains on the survivors
        // too: a third of the index shards and of the running ingests would end with any silo. This one recovers
        // the registrations from the survivors instead, and never lets a grain have two activations.
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        silo.Services.AddDatabaseErrorTransport();
        silo.AddOutgoingGrainCallFilter<SiloLossRetryFilter>();
        silo.Services.AddSingleton(Options.Create(options));
        silo.Services.AddSingleton(layout);
        silo.Services.AddSingleton(SharedChunkStores.For(layout.Root, options.Packs));
        silo.Services.AddSingleton(sp => new DedupMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<ChunkStore>()));
        silo.Services.AddSingleton<IndexRouter>();
        silo.Services.AddPlacementDirector<ShardPlacementStrategy, ShardPlacementDirector>();
        silo.Services.AddSingleton<IStoreView, GridStoreView>();
        silo.Services.AddSingleton<ImageRestorer>();
        silo.Services.AddSingleton<StoreVerifier>();
        silo.Services.AddSingleton<StoreStatistics>();
        return silo;
    }
}
