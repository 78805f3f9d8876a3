namespace OrleansDedup.Abstractions.Maintenance;

[GenerateSerializer, Immutable]
public sealed record GcResult(
    [property: Id(0)] int PacksDeleted,
    [property: Id(1)] int PacksCompacted,
    [property: Id(2)] long BytesBefore,
    [property: Id(3)] long BytesAfter,
    [property: Id(4)] int EntriesSwept,
    [property: Id(5)] int AbandonedIngests,
    [property: Id(6)] bool SweepSkipped)
{
    public long BytesReclaimed => BytesBefore - BytesAfter;
}
