using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace OrleansDedup.Storage.Tests;

public interface IClearableEntryGrain : IGrainWithStringKey
{
    Task SetAsync(string value);

    Task<string?> GetAsync();

    Task ClearAsync();
}

/// <summary>Like <see cref="CatalogEntryGrain"/>, on a storage configured with <c>DeleteStateOnClear = true</c>.</summary>
public sealed class ClearableEntryGrain(
    [PersistentState("entry", PostgreSqlClusterTests.DeletingStorageName)] IPersistentState<CatalogEntryState> entry)
    : Grain, IClearableEntryGrain
{
    public Task SetAsync(string value)
    {
        entry.State.Value = value;
        return entry.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(entry.State.Value);

    public Task ClearAsync() => entry.ClearStateAsync();
}

/// <summary>
/// Two-silo in-process clusters whose membership and grain state both live in PostgreSQL (ADO.NET providers,
/// invariant "Npgsql", the project's scripts), one database for the class.
/// </summary>
public sealed class PostgreSqlClusterTests(PostgreSqlDatabaseFixture database) : IClassFixture<PostgreSqlDatabaseFixture>, IAsyncLifetime
{
    public const string StorageName = SqliteGrainStorageTests.StorageName; // "catalog", used by CatalogEntryGrain
    public const string DeletingStorageName = "catalog-delete";
    private const string GrainType = "catalogentry";
    private const int Active = 3;

    private readonly string _serviceId = "od-pg-" + Guid.NewGuid().ToString("N");
    private readonly string _clusterId = "od-pg-cluster-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => PostgreSqlSchema.EnsureCreatedAsync(database.ConnectionString);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<InProcessTestCluster> StartClusterAsync(short silos = 2)
    {
        var connectionString = database.ConnectionString;
        var builder = new InProcessTestClusterBuilder(silos);
        PostgreSqlTestServer.UseConfiguredMembership(builder.Options);
        // Same ids for every cluster of a test: state is keyed by service id, membership by cluster id.
        builder.Options.ServiceId = _serviceId;
        builder.Options.ClusterId = _clusterId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo
            .UseAdoNetClustering(o =>
            {
                o.Invariant = PostgreSqlSchema.Invariant;
                o.ConnectionString = connectionString;
            })
            .AddAdoNetGrainStorage(StorageName, o =>
            {
                o.Invariant = PostgreSqlSchema.Invariant;
                o.ConnectionString = connectionString;
            })
            .AddAdoNetGrainStorage(DeletingStorageName, o =>
            {
                o.Invariant = PostgreSqlSchema.Invariant;
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = true;
            }));
        builder.ConfigureClient(client => client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgreSqlSchema.Invariant;
            o.ConnectionString = connectionString;
        }));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private static async Task StopAsync(InProcessTestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    private static IGrainStorage Storage(InProcessTestCluster cluster, string name) =>
        cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(name);

    private Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) =>
        PostgreSqlTestServer.ScalarLongAsync(database.ConnectionString, sql, parameters);

    private Task<long> ActiveSilosAsync() =>
        CountAsync("SELECT COUNT(*) FROM OrleansMembershipTable WHERE DeploymentId = @c AND Status = @s", ("c", _clusterId), ("s", Active));

    private Task<long> RowsForKeyAsync(string key) =>
        CountAsync("SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @s AND GrainIdExtensionString = @k", ("s", _serviceId), ("k", key));

    [Fact]
    public async Task Two_silos_form_a_cluster_through_the_PostgreSQL_membership_table()
    {
        var cluster = await StartClusterAsync();
        try
        {
            Assert.Equal(2, await ActiveSilosAsync());
            var hosts = await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Equal(2, hosts.Count);
            Assert.Equal(
                cluster.Silos.Select(s => s.SiloAddress.ToString()).Order(),
                hosts.Keys.Select(s => s.ToString()).Order());
            Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @c", ("c", _clusterId)));
        }
        finally
        {
            await StopAsync(cluster);
        }

        // A graceful stop leaves the rows, marked dead.
        Assert.Equal(0, await ActiveSilosAsync());
    }

    [Fact]
    public async Task Grain_state_survives_stopping_the_cluster_and_starting_a_new_one()
    {
        var key = "image-" + Guid.NewGuid().ToString("N");
        var cluster = await StartClusterAsync();
        try
        {
            await cluster.Client.GetGrain<ICatalogEntryGrain>(key).SetAsync("disk-image-42");
        }
        finally
        {
            await StopAsync(cluster);
        }

        cluster = await StartClusterAsync();
        try
        {
            Assert.Equal(2, await ActiveSilosAsync()); // the new silos, not the stopped ones
            var grain = cluster.Client.GetGrain<ICatalogEntryGrain>(key);
            Assert.Equal("disk-image-42", await grain.GetAsync());

            // Without DeleteStateOnClear the row stays, emptied, to carry the version on.
            await grain.ClearAsync();
            Assert.Null(await grain.GetAsync());
            Assert.Equal(1, await RowsForKeyAsync(key));
            Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM OrleansStorage WHERE GrainIdExtensionString = @k AND PayloadBinary IS NOT NULL", ("k", key)));
            await grain.SetAsync("written-again-after-clear");
            Assert.Equal("written-again-after-clear", await grain.GetAsync());
        }
        finally
        {
            await StopAsync(cluster);
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
            await StopAsync(cluster);
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

            // Eight writers holding version 2 at once: the row lock lets exactly one through.
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
            await StopAsync(cluster);
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
            await StopAsync(cluster);
        }
    }
}
