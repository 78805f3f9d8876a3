namespace OrleansDedup.Abstractions.Images;

/// <summary>The names of the committed images (a single grain, key 0).</summary>
public interface ICatalogGrain : IGrainWithIntegerKey
{
    Task Add(string name);

    Task Remove(string name);

    [ReadOnly]
    Task<string[]> List();
}
