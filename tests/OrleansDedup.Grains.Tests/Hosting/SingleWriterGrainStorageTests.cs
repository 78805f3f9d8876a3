using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Images;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Hosting;

/// <summary>The catalog's storage takes SQLite writes one at a time, and passes PostgreSQL's and every read through.</summary>
public sealed class SingleWriterGrainStorageTests
{
    [Fact]
    public async Task On_sqlite_writes_and_clears_take_turns_while_reads_pass()
    {
        var inner = new HeldStorage();
        var storage = new SingleWriterGrainStorage(inner, serialize: true);

        var writes = new[]
        {
            storage.WriteStateAsync("catalog", Id(1), State()),
            storage.WriteStateAsync("catalog", Id(2), State()),
            storage.ClearStateAsync("catalog", Id(3), State()),
            storage.WriteStateAsync("catalog", Id(4), State()),
        };
        var read = storage.ReadStateAsync("catalog", Id(5), State());

        Assert.Equal(1, inner.Entered);
        Assert.True(read.IsCompletedSuccessfully);
        inner.Release.SetResult();
        await Task.WhenAll(writes);
        Assert.Equal(4, inner.Entered);
        Assert.Equal(1, inner.MostAtOnce);
    }

    [Fact]
    public async Task On_postgresql_writes_pass_straight_through()
    {
        var inner = new HeldStorage();
        var storage = new SingleWriterGrainStorage(inner, serialize: false);

        var writes = Enumerable.Range(0, 4).Select(i => storage.WriteStateAsync("catalog", Id(i), State())).ToArray();

        Assert.Equal(4, inner.Entered);
        inner.Release.SetResult();
        await Task.WhenAll(writes);
        Assert.Equal(4, inner.MostAtOnce);
    }

    [Fact]
    public async Task The_silo_writes_its_catalog_through_it_and_every_concurrent_write_lands()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1);
        var storage = grid.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Catalog);
        Assert.IsType<SingleWriterGrainStorage>(storage);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            storage.WriteStateAsync(StorageNames.CatalogGrainType, Id(i), State($"image-{i}"))));

        for (var i = 0; i < 12; i++)
        {
            var read = State();
            await storage.ReadStateAsync(StorageNames.CatalogGrainType, Id(i), read);
            Assert.Equal([$"image-{i}"], read.State.Names);
        }
    }

    private static GrainId Id(int i) => GrainId.Create("single-writer-test", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static GrainState<CatalogState> State(params string[] names) => new(new CatalogState { Names = new(names, StringComparer.Ordinal) });

    /// <summary>Holds every write and clear until released, counting how many were inside at once.</summary>
    private sealed class HeldStorage : IGrainStorage
    {
        private readonly Lock _lock = new();
        private int _inside;

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Entered { get; private set; }

        public int MostAtOnce { get; private set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Hold();

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Hold();

        private async Task Hold()
        {
            lock (_lock)
            {
                Entered++;
                MostAtOnce = Math.Max(MostAtOnce, ++_inside);
            }
            await Release.Task;
            lock (_lock) _inside--;
        }
    }
}
