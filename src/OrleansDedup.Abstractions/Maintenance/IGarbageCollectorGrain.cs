namespace OrleansDedup.Abstractions.Maintenance;

[GenerateSerializer, Immutable]
public sealed record GcResult(
    [property: Id(0)] int PacksDeleted,
    [property: Id(1)] int PacksCompacted,
    [property: Id(2)] long BytesBefore,
    [property: Id(3)] long BytesAfter,
    [property: Id(4)] int ReferencesRepaired,
    [property: Id(5)] int AbandonedIngests,
    [property: Id(6)] bool RecountSkipped)
{
    public long BytesReclaimed => BytesBefore - BytesAfter;
}

/// <summary>Reclaims pack space that no image references any more (a single grain, key 0).</summary>
public interface IGarbageCollectorGrain : IGrainWithIntegerKey
{
    /// <summary>Recounts references from the committed recipes (repairing what crashed ingests leaked), drops
    /// abandoned ingests, then reclaims space. The recount is skipped while an ingest is running.</summary>
    Task<GcResult> Collect();

    /// <summary>Asked by an ingest before it takes references: false while a recount runs.</summary>
    [AlwaysInterleave]
    Task<bool> TryBeginIngest();
}
