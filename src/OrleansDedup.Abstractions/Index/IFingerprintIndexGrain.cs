using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Index;

/// <summary>One shard of the global chunk index (fingerprint -> location, size, references), keyed by shard number.
/// Callers group fingerprints by <see cref="Fingerprint.Shard"/> and send one batch per shard.</summary>
public interface IFingerprintIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Adds references to the fingerprints the shard knows (Known); claims for <paramref name="owner"/> those it
    /// neither knows nor sees claimed (Owned: the caller stores their bytes and inserts them); leaves those another
    /// owner claims (Pending: nothing taken, see <see cref="AwaitClaims"/>). So concurrent ingests write a new chunk once.</summary>
    Task<ClaimState[]> Claim(ReferenceBatch batch, ClaimOwner owner);

    /// <summary>Waits a while on fingerprints another owner claims: one inserted meanwhile comes back Known (references
    /// added), one whose claim was given back, outlived its lease or lost its owner's silo comes back Owned (the claim
    /// passed to <paramref name="owner"/>), the rest Pending, to be asked again. Interleaves: the owners' inserts must get
    /// in while it waits.</summary>
    [AlwaysInterleave]
    Task<ClaimState[]> AwaitClaims(ReferenceBatch batch, ClaimOwner owner);

    /// <summary>Gives back claims of <paramref name="owner"/> that it will not insert (its segment failed or was
    /// cancelled); those waiting on them may claim them at once.</summary>
    Task ReleaseClaims(Fingerprint[] fingerprints, Guid owner);

    /// <summary>Adds entries whose bytes are already durable, ending any claims on them. An entry that another ingest
    /// added first is not replaced: its references are added to the existing one and it is reported as a collision.</summary>
    Task<bool[]> Insert(InsertBatch batch);

    /// <summary>Drops references; entries left with none are removed, and dead aliases hand back their pieces.</summary>
    /// <param name="expectedEpoch">If set and this shard has restarted since (its epoch differs), nothing is released and
    /// the result says so: the references being given back may be among the changes the restart lost, and taking them
    /// off again could free a chunk something still uses.</param>
    Task<ReleaseResult> Release(ReferenceBatch batch, Guid? expectedEpoch);

    [ReadOnly]
    Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints);

    /// <summary>Makes every change so far durable; returns the activation's epoch.</summary>
    Task<Guid> Flush();

    /// <summary>Identifies this activation of the shard. Changes the shard received but had not flushed are lost only
    /// when its activation dies; an ingest that sees a shard's epoch change before it commits must not commit.</summary>
    [ReadOnly]
    Task<Guid> GetEpoch();

    [ReadOnly]
    Task<ShardStats> GetStats();

    [ReadOnly]
    Task<PackUsage[]> GetPackUsage();

    /// <summary>Streams the shard's entries, in pages, for verify and garbage collection.</summary>
    [ReadOnly]
    IAsyncEnumerable<IndexEntryView[]> ListEntries();

    Task Relocate(ChunkMove[] moves);

    /// <summary>Sets absolute reference counts found by a recount; entries set to zero are removed.</summary>
    Task SetReferences(ReferenceBatch batch);

    /// <summary>Folds the shard's journal into a snapshot of what it holds now.</summary>
    Task Compact();
}
