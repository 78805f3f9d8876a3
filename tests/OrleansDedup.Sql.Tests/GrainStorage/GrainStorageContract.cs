using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace OrleansDedup.Sql.Tests.GrainStorage;

/// <summary>
/// What the grid asks of Orleans' ADO.NET grain storage with the project's scripts, written once and run against every
/// backend through real silos, as Orleans' own provider test runners do: a subclass names the database.
/// </summary>
public abstract class GrainStorageContract
{
    public const string StorageName = "catalog";
    public const string DeletingStorageName = "catalog-delete";
    private const string GrainType = "catalogentry";

    // Same ids for every cluster of a test: state is keyed by service id, membership by cluster id.
    private readonly string _serviceId = "od-storage-" + Guid.NewGuid().ToString("N");
    private readonly string _clusterId = "od-storage-cluster-" + Guid.NewGuid().ToString("N");

    /// <summary>The service id the test's clusters store their grains' rows under.</summary>
    protected string ServiceId => _serviceId;

    /// <summary>The cluster id the test's silos register their membership under.</summary>
    protected string ClusterId => _clusterId;

    /// <summary>The ADO.NET invariant the providers are configured with.</summary>
    protected abstract string Invariant { get; }

    /// <summary>A database with the schema applied.</summary>
    protected abstract string ConnectionString { get; }

    /// <summary>Silos of the clusters that store state through grain activations.</summary>
    protected virtual short Silos => 1;

    protected abstract DbConnection CreateConnection();

    /// <summary>Where the backend keeps cluster membership too; the test cluster's own is used otherwise.</summary>
    protected virtual void ConfigureCluster(InProcessTestClusterBuilder builder)
    {
    }

    protected async Task<InProcessTestCluster> StartClusterAsync(short? silos = null)
    {
        var builder = new InProcessTestClusterBuilder(silos ?? Silos);
        builder.Options.ServiceId = _serviceId;
        builder.Options.ClusterId = _clusterId;
        builder.Options.ConfigureFileLogging = false;
        ConfigureCluster(builder);
        var invariant = Invariant;
        var connectionString = ConnectionString;
        builder.ConfigureSilo((_, silo) => silo
            .AddAdoNetGrainStorage(StorageName, o =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
            })
            .AddAdoNetGrainStorage(DeletingStorageName, o =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = true;
            }));
        return await TestClusters.DeployAsync(builder);
    }

    private static IGrainStorage Storage(InProcessTestCluster cluster, string name) =>
        cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(name);

    protected async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = CreateConnection();
        return await DbScalar.LongAsync(connection, sql, parameters);
    }

    private Task<long> RowsForKeyAsync(string key) =>
        CountAsync("SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @s AND GrainIdExtensionString = @k", ("s", _serviceId), ("k", key));

    [Fact]
    public async Task Grain_state_survives_stopping_the_cluster_and_clear_empties_it()
    {
        var key = "image-" + Guid.NewGuid().ToString("N");
        var cluster = await StartClusterAsync();
        try
        {
            await cluster.Client.GetGrain<ICatalogEntryGrain>(key).SetAsync("disk-image-42");
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }

        cluster = await StartClusterAsync();
        try
        {
            var grain = cluster.Client.GetGrain<ICatalogEntryGrain>(key);
            Assert.Equal("disk-image-42", await grain.GetAsync());

            // Without DeleteStateOnClear the row stays, emptied, to carry the version on.
            await grain.ClearAsync();
            Assert.Null(await grain.GetAsync());
            Assert.Equal(1, await RowsForKeyAsync(key));
            Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @s AND PayloadBinary IS NOT NULL", ("s", _serviceId)));
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }

        cluster = await StartClusterAsync();
        try
        {
            var grain = cluster.Client.GetGrain<ICatalogEntryGrain>(key);
            Assert.Null(await grain.GetAsync());
            await grain.SetAsync("written-again-after-clear");
            Assert.Equal("written-again-after-clear", await grain.GetAsync());
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }
    }

    [Fact]
    public async Task With_DeleteStateOnClear_a_cleared_grain_leaves_no_row()
    {
        var key = "image-" + Guid.NewGuid().ToString("N");
        var cluster = await StartClusterAsync();
        try
        {
            var grain = cluster.Client.GetGrain<IClearableEntryGrain>(key);
            await grain.SetAsync("v1");
            await grain.SetAsync("v2");
            Assert.Equal(1, await RowsForKeyAsync(key));

            await grain.ClearAsync();
            Assert.Equal(0, await RowsForKeyAsync(key));
            Assert.Null(await grain.GetAsync());

            await grain.SetAsync("v3"); // starts over from "no row"
            Assert.Equal(1, await RowsForKeyAsync(key));
            await grain.ClearAsync();
            Assert.Equal(0, await RowsForKeyAsync(key));
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }
    }

    [Fact]
    public async Task Stale_writes_throw_InconsistentStateException_and_concurrent_writers_of_one_version_get_one_win()
    {
        var cluster = await StartClusterAsync(silos: 1);
        try
        {
            var storage = Storage(cluster, StorageName);
            var deleting = Storage(cluster, DeletingStorageName);
            var grainId = GrainId.Create(GrainType, "entry-" + Guid.NewGuid().ToString("N"));

            var current = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "a" });
            await storage.WriteStateAsync(GrainType, grainId, current);
            Assert.Equal("1", current.ETag);
            var stale = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "stale" }, current.ETag);
            await storage.WriteStateAsync(GrainType, grainId, current);
            Assert.Equal("2", current.ETag);

            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grainId, stale));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(GrainType, grainId, stale));
            await Assert.ThrowsAsync<InconsistentStateException>(() => deleting.ClearStateAsync(GrainType, grainId, stale));
            // A second activation that never saw the row must not overwrite it.
            var unaware = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "unaware" });
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grainId, unaware));
            // A version for a row that does not exist must not create it.
            var phantom = new GrainState<CatalogEntryState>(new CatalogEntryState(), "5");
            var otherId = GrainId.Create(GrainType, "entry-" + Guid.NewGuid().ToString("N"));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, otherId, phantom));

            var read = new GrainState<CatalogEntryState>();
            await storage.ReadStateAsync(GrainType, grainId, read);
            Assert.Equal(("a", "2", true), (read.State?.Value, read.ETag, read.RecordExists));

            // Eight writers holding version 2 at once: exactly one gets through.
            var racers = Enumerable.Range(0, 8)
                .Select(i => new GrainState<CatalogEntryState>(new CatalogEntryState { Value = $"racer-{i}" }, "2"))
                .ToList();
            var outcomes = await Task.WhenAll(racers.Select(state => Task.Run(async () =>
            {
                try
                {
                    await storage.WriteStateAsync(GrainType, grainId, state);
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            })));
            Assert.Equal(1, outcomes.Count(won => won));
            var winner = racers[Array.IndexOf(outcomes, true)];
            await storage.ReadStateAsync(GrainType, grainId, read);
            Assert.Equal((winner.State!.Value, "3"), (read.State?.Value, read.ETag));
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }
    }

    [Fact]
    public async Task Clear_keeps_the_version_and_delete_on_clear_removes_the_row()
    {
        var cluster = await StartClusterAsync(silos: 1);
        try
        {
            var clearing = Storage(cluster, StorageName);
            var deleting = Storage(cluster, DeletingStorageName);
            var grainId = GrainId.Create(GrainType, "entry-" + Guid.NewGuid().ToString("N"));

            var state = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "a" });
            await clearing.WriteStateAsync(GrainType, grainId, state);
            await clearing.ClearStateAsync(GrainType, grainId, state);
            Assert.Equal(("2", false), (state.ETag, state.RecordExists));
            var read = new GrainState<CatalogEntryState>();
            await clearing.ReadStateAsync(GrainType, grainId, read);
            Assert.Equal(("2", false), (read.ETag, read.RecordExists));

            await deleting.WriteStateAsync(GrainType, grainId, state);
            await deleting.ClearStateAsync(GrainType, grainId, state);
            Assert.Null(state.ETag);
            await deleting.ReadStateAsync(GrainType, grainId, read);
            Assert.Equal((null, false), (read.ETag, read.RecordExists));
            await deleting.WriteStateAsync(GrainType, grainId, state);
            Assert.Equal("1", state.ETag);
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }
    }
}
