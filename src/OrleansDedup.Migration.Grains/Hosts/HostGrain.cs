using Microsoft.Extensions.Options;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Grains.Placement;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>
/// A host of the simulated data centre, on the silo that models it (<see cref="HostPlacementAttribute"/>), in
/// <c>{data}/hosts/{host}/</c>: a chunk cache (<see cref="HostChunkCache"/>), the recipes of the images it holds
/// (<see cref="HostRecipes"/>) and its capacity (<see cref="HostCapacityFile"/>).
/// </summary>
/// <remarks>The cache holds whatever the recipes name: 4 KiB blocks for fixed, content-defined chunks for Rabin, and the
/// block (alias) fingerprints for adaptive, each with the assembled bytes of that block. So a host restores from its
/// own recipes and cache only, through the grid's <see cref="ImageRestorer"/> (<see cref="HostStoreView"/>).</remarks>
[HostPlacement]
public sealed class HostGrain(StoreLayout layout, ILocalSiloDetails silo, IOptions<DedupOptions> options) : Grain, IHostGrain
{
    private string _directory = "";
    private HostChunkCache _cache = null!;
    private HostRecipes _recipes = null!;
    private HostCapacity? _capacity;

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _directory = HostDirectory.Of(layout, Name);
        Directory.CreateDirectory(_directory);
        _cache = new HostChunkCache(_directory, options.Value.Packs);
        _recipes = new HostRecipes(_directory);
        _capacity = HostCapacityFile.Read(_directory);
        return Task.CompletedTask;
    }

    public Task Configure(HostCapacity capacity)
    {
        if (capacity.Cores < 1 || capacity.MipsPerCore <= 0 || capacity.RamBytes <= 0 || capacity.BandwidthBytesPerSecond <= 0)
            throw new ArgumentException("A host needs positive MIPS, cores, RAM and bandwidth.");
        _capacity = capacity;
        HostCapacityFile.Write(_directory, capacity);
        return Task.CompletedTask;
    }

    public Task<HostCapacity?> GetCapacity() => Task.FromResult(_capacity);

    public Task<string> GetSilo() => Task.FromResult(silo.Name);

    public Task<Fingerprint[]> Missing(Fingerprint[] fingerprints) => Task.FromResult(_cache.Missing(fingerprints));

    public Task<long> Store(ChunkBatch batch) => Task.FromResult(_cache.Add(batch));

    public Task StoreRecipe(RecipeCopy recipe)
    {
        _recipes.Add(recipe);
        return Task.CompletedTask;
    }

    public Task<bool> HoldsImage(string image) => Task.FromResult(_recipes.Holds(image));

    public async Task<long> RestoreImage(string image, string outputPath)
    {
        if (_recipes.Held(image) is null) throw new InvalidOperationException($"host {Name} holds no image '{image}'");
        var restorer = new ImageRestorer(new HostStoreView(Name, _recipes, _cache), _cache.Store, _recipes.Layout);
        return (await restorer.Restore(image, outputPath)).Size;
    }

    public Task<HostCacheStats> GetCacheStats() =>
        Task.FromResult(new HostCacheStats(Name, silo.Name, _cache.Chunks, _cache.ChunkBytes, _recipes.Images()));
}
