namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>The guest's dirty-page model: a constant rate, or a writable working set rewritten at <see cref="Rate"/> plus
/// the rest of memory at <see cref="ColdRate"/> (bytes per second).</summary>
[GenerateSerializer, Immutable]
public sealed record DirtyModelSpec(
    [property: Id(0)] DirtyModelKind Kind,
    [property: Id(1)] double Rate = 0,
    [property: Id(2)] long WorkingSetBytes = 0,
    [property: Id(3)] double ColdRate = 0)
{
    public static DirtyModelSpec None { get; } = new(DirtyModelKind.None);
}
