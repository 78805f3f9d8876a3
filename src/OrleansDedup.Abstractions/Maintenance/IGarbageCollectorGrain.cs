namespace OrleansDedup.Abstractions.Maintenance;

[GenerateSerializer, Immutable]
public sealed record GcResult(
    [property: Id(0)] int PacksDeleted,
    [property: Id(1)] int PacksCompacted,
    [property: Id(2)] long BytesBefore,
    [property: Id(3)] long BytesAfter)
{
    public long BytesReclaimed => BytesBefore - BytesAfter;
}

/// <summary>Reclaims pack space that no image references any more (a single grain, key 0).</summary>
public interface IGarbageCollectorGrain : IGrainWithIntegerKey
{
    Task<GcResult> Collect();
}
