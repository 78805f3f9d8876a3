using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Grains.Images;

[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}

public sealed class CatalogGrain([PersistentState("catalog", StorageNames.Catalog)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    public async Task Add(string name)
    {
        if (state.State.Names.Add(name)) await state.WriteStateAsync();
    }

    public async Task Remove(string name)
    {
        if (state.State.Names.Remove(name)) await state.WriteStateAsync();
    }

    public Task<string[]> List() => Task.FromResult(state.State.Names.ToArray());
}
