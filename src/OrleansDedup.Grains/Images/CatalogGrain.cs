using OrleansDedup.Abstractions.Images;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Sql;

namespace OrleansDedup.Grains.Images;

[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The names of the images. A change that could not be written is undone in memory, so that a retry writes it.</summary>
public sealed class CatalogGrain([PersistentState(StorageNames.CatalogGrainType, StorageNames.Catalog)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    public Task Add(string name) => Change(() => state.State.Names.Add(name), () => state.State.Names.Remove(name));

    public Task Remove(string name) => Change(() => state.State.Names.Remove(name), () => state.State.Names.Add(name));

    /// <summary>Writes the state if <paramref name="apply"/> changed it, and undoes the change if the write fails.</summary>
    private async Task Change(Func<bool> apply, Func<bool> undo)
    {
        if (!apply()) return;
        try
        {
            await Write();
        }
        catch
        {
            undo();
            throw;
        }
    }

    public Task<string[]> List() => Task.FromResult(state.State.Names.ToArray());

    /// <summary>An unreachable database is reported as an interrupted change, the error kind callers act on, with what
    /// to do about it; the retries before that are <see cref="CatalogWrites"/>'.</summary>
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
