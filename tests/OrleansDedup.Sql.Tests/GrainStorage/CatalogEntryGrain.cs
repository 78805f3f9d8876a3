namespace OrleansDedup.Sql.Tests.GrainStorage;

public interface ICatalogEntryGrain : IGrainWithStringKey
{
    Task SetAsync(string value);

    Task<string?> GetAsync();

    Task ClearAsync();
}

[GenerateSerializer]
public sealed class CatalogEntryState
{
    [Id(0)]
    public string? Value { get; set; }
}

/// <summary>Exercises the "catalog" ADO.NET storage through a real grain activation.</summary>
public sealed class CatalogEntryGrain(
    [PersistentState("entry", GrainStorageContract.StorageName)] IPersistentState<CatalogEntryState> entry)
    : Grain, ICatalogEntryGrain
{
    public Task SetAsync(string value)
    {
        entry.State.Value = value;
        return entry.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(entry.State.Value);

    public Task ClearAsync() => entry.ClearStateAsync();
}
