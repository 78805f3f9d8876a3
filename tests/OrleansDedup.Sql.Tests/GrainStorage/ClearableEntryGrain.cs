namespace OrleansDedup.Sql.Tests.GrainStorage;

public interface IClearableEntryGrain : IGrainWithStringKey
{
    Task SetAsync(string value);

    Task<string?> GetAsync();

    Task ClearAsync();
}

/// <summary>Like <see cref="CatalogEntryGrain"/>, on a storage configured with <c>DeleteStateOnClear = true</c>.</summary>
public sealed class ClearableEntryGrain(
    [PersistentState("entry", GrainStorageContract.DeletingStorageName)] IPersistentState<CatalogEntryState> entry)
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
