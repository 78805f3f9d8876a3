using OrleansDedup.Abstractions.Calls;

namespace OrleansDedup.Abstractions.Images;

/// <summary>The names of the committed images (a single grain, key 0).</summary>
public interface ICatalogGrain : IGrainWithIntegerKey
{
    [Idempotent]
    Task Add(string name);

    [Idempotent]
    Task Remove(string name);

    [ReadOnly, Idempotent]
    Task<string[]> List();
}
