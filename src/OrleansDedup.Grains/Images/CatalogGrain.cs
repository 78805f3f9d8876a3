using OrleansDedup.Abstractions.Images;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Images;

[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The names of the images. A change that could not be written is undone in memory, so that a retry writes it.</summary>
public sealed class CatalogGrain([PersistentState("catalog", StorageNames.Catalog)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    public async Task Add(string name)
    {
        if (!state.State.Names.Add(name)) return;
        try
        {
            await Write();
        }
        catch
        {
            state.State.Names.Remove(name);
            throw;
        }
    }

    public async Task Remove(string name)
    {
        if (!state.State.Names.Remove(name)) return;
        try
        {
            await Write();
        }
        catch
        {
            state.State.Names.Add(name);
            throw;
        }
    }

    public Task<string[]> List() => Task.FromResult(state.State.Names.ToArray());

    /// <summary>Database errors do not survive the trip back to the caller as their own types, so an unreachable
    /// database is reported here, as the one error kind callers act on.</summary>
    private async Task Write()
    {
        try
        {
            await CatalogWrites.Run(state.WriteStateAsync);
        }
        catch (Exception e) when (DatabaseErrors.IsUnreachable(e))
        {
            throw new IngestException(IngestErrorKind.Interrupted,
                $"cannot reach the catalog database ({DatabaseErrors.Reason(e)}); nothing was changed, retry once PostgreSQL is back");
        }
    }
}
