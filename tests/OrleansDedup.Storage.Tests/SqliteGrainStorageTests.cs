using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace OrleansDedup.Storage.Tests;

public sealed class SqliteGrainStorageTests : IDisposable
{
    public const string StorageName = "catalog";
    private const string DeletingStorageName = "catalog-delete";
    private const string GrainType = "catalogentry";

    private readonly TempDirectory _dir = new();
    private readonly string _connectionString;

    public SqliteGrainStorageTests()
    {
        _connectionString = SqliteGrainStorageSchema.ConnectionString(Path.Combine(_dir.Path, "catalog.db"));
        SqliteGrainStorageSchema.EnsureCreated(_connectionString);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private async Task<InProcessTestCluster> StartClusterAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "orleansdedup-storage-tests"; // state is keyed by service id: keep it across clusters
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo
            .AddAdoNetGrainStorage(StorageName, o =>
            {
                o.Invariant = SqliteGrainStorageSchema.Invariant;
                o.ConnectionString = _connectionString;
            })
            .AddAdoNetGrainStorage(DeletingStorageName, o =>
            {
                o.Invariant = SqliteGrainStorageSchema.Invariant;
                o.ConnectionString = _connectionString;
                o.DeleteStateOnClear = true;
            }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task StopAsync(InProcessTestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    private static IGrainStorage Storage(InProcessTestCluster cluster, string name) =>
        cluster.GetSiloServiceProvider(null!).GetRequiredKeyedService<IGrainStorage>(name);

    private long ScalarLong(string sql)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    [Fact]
    public async Task State_survives_a_cluster_restart_and_clear_removes_it()
    {
        var key = Guid.NewGuid().ToString("N");
        var cluster = await StartClusterAsync();
        await cluster.Client.GetGrain<ICatalogEntryGrain>(key).SetAsync("disk-image-42");
        await StopAsync(cluster);

        cluster = await StartClusterAsync();
        var grain = cluster.Client.GetGrain<ICatalogEntryGrain>(key);
        Assert.Equal("disk-image-42", await grain.GetAsync());
        await grain.ClearAsync();
        await StopAsync(cluster);

        Assert.Equal(0, ScalarLong("SELECT COUNT(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL"));

        cluster = await StartClusterAsync();
        grain = cluster.Client.GetGrain<ICatalogEntryGrain>(key);
        Assert.Null(await grain.GetAsync());
        await grain.SetAsync("written-again-after-clear");
        Assert.Equal("written-again-after-clear", await grain.GetAsync());
        await StopAsync(cluster);
    }

    [Fact]
    public async Task Stale_versions_are_rejected_with_InconsistentStateException()
    {
        var cluster = await StartClusterAsync();
        try
        {
            var storage = Storage(cluster, StorageName);
            var grainId = GrainId.Create(GrainType, Guid.NewGuid().ToString("N"));

            var current = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "a" });
            await storage.WriteStateAsync(GrainType, grainId, current);
            Assert.Equal("1", current.ETag);
            var stale = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "stale" }, current.ETag);
            await storage.WriteStateAsync(GrainType, grainId, current);
            Assert.Equal("2", current.ETag);

            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grainId, stale));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(GrainType, grainId, stale));
            // A second activation that never saw the row must not overwrite it.
            var unaware = new GrainState<CatalogEntryState>(new CatalogEntryState { Value = "unaware" });
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grainId, unaware));
            // A version for a row that does not exist must not create it.
            var phantom = new GrainState<CatalogEntryState>(new CatalogEntryState(), "5");
            var otherId = GrainId.Create(GrainType, Guid.NewGuid().ToString("N"));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, otherId, phantom));

            var read = new GrainState<CatalogEntryState>();
            await storage.ReadStateAsync(GrainType, grainId, read);
            Assert.Equal(("a", "2", true), (read.State?.Value, read.ETag, read.RecordExists));
        }
        finally
        {
            await StopAsync(cluster);
        }
    }

    [Fact]
    public async Task Clear_keeps_the_version_and_delete_on_clear_removes_the_row()
    {
        var cluster = await StartClusterAsync();
        try
        {
            var clearing = Storage(cluster, StorageName);
            var deleting = Storage(cluster, DeletingStorageName);
            var grainId = GrainId.Create(GrainType, Guid.NewGuid().ToString("N"));

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
            await StopAsync(cluster);
        }
    }

    [Fact]
    public void EnsureCreated_is_idempotent_versioned_and_sets_WAL()
    {
        SqliteGrainStorageSchema.EnsureCreated(_connectionString);
        SqliteGrainStorageSchema.EnsureCreated(_connectionString);

        Assert.Equal(1, ScalarLong("SELECT MAX(Version) FROM OrleansDedupSchema"));
        Assert.Equal(1, ScalarLong("SELECT COUNT(*) FROM OrleansDedupSchema"));
        Assert.Equal(4, ScalarLong("SELECT COUNT(*) FROM OrleansQuery"));
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }
}
