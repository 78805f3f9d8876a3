using OrleansDedup.Abstractions.Calls;

namespace OrleansDedup.Abstractions.Maintenance;

/// <summary>Reclaims pack space that no image references any more (a single grain, key 0).</summary>
public interface IGarbageCollectorGrain : IGrainWithIntegerKey
{
    /// <summary>Marks what the committed recipes use, sweeps the rest from the index (what deleted images and failed or
    /// crashed ingests left), drops abandoned ingests, then reclaims pack space. Mark and sweep are skipped while an
    /// ingest is running.</summary>
    Task<GcResult> Collect();

    /// <summary>Asked by an ingest before it starts: false while a mark and sweep runs.</summary>
    [AlwaysInterleave, Idempotent]
    Task<bool> TryBeginIngest();
}
