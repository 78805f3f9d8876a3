using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Tests.Hosting;

/// <summary>The silo's one <see cref="DedupOptions"/>: configured by the caller, reconciled with the store before any
/// service reads it, validated at start.</summary>
public sealed class SiloBuilderExtensionsTests
{
    [Fact]
    public async Task Every_service_sees_the_settings_of_the_store_it_opens()
    {
        using var temp = new TempDirectory();
        await (await Grid.StartAsync(temp.Data, silos: 1)).DisposeAsync();

        await using var grid = await Grid.StartAsync(temp.Data, silos: 1, dedup: o => o.ShardCount = Grid.ShardCount + 1);

        var options = grid.Service<IOptions<DedupOptions>>().Value;
        Assert.Equal(Grid.ShardCount, options.ShardCount);
        Assert.Equal(options.Packs, grid.Service<ChunkStore>().Settings);
        Assert.Equal(Path.GetFullPath(temp.Data), grid.Service<StoreLayout>().Root);
    }

    [Fact]
    public async Task The_directory_caches_are_sized_for_the_grid_unless_the_host_configures_them()
    {
        using var temp = new TempDirectory();
        await using (var grid = await Grid.StartAsync(temp.Data, silos: 1))
        {
            var cacheSize = grid.Service<IOptions<GrainDirectoryOptions>>().Value.CacheSize;
            Assert.Equal(OrleansDedup.Grains.Hosting.SiloBuilderExtensions.DirectoryCacheSize, cacheSize);
        }

        await using var configured = await Grid.StartAsync(temp.Data, silos: 1,
            configure: (_, silo) => silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = 123));
        Assert.Equal(123, configured.Service<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
    }

    [Fact]
    public async Task Settings_the_validator_refuses_stop_the_start_and_make_no_store()
    {
        using var temp = new TempDirectory();

        var failure = await Record.ExceptionAsync(() => Grid.StartAsync(temp.Data, silos: 1, dedup: o => o.ShardCount = 0));

        var refused = Assert.IsType<OptionsValidationException>(failure);
        Assert.Contains("shard count", refused.Message);
        Assert.False(File.Exists(new StoreLayout(temp.Data).Manifest));
    }
}
