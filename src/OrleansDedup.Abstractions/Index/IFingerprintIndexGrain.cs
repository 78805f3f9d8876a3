using OrleansDedup.Abstractions.Calls;
using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Index;

/// <summary>One shard of the global chunk index (fingerprint -> location and size, or alias pieces), keyed by shard
/// number. Callers group fingerprints by <see cref="Fingerprint.Shard"/> and send one batch per shard. The index keeps no
/// reference counts: what is live is what committed recipes name, marked by gc, which sweeps the rest.</summary>
public interface IFingerprintIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Per fingerprint: Known if the shard holds it; Owned if the shard neither holds it nor sees it claimed, now
    /// claimed for <paramref name="owner"/> (the caller stores its bytes and inserts it); Pending if another owner claims it
    /// (see <see cref="AwaitClaims"/>). So concurrent ingests write a new chunk once.</summary>
    Task<ClaimState[]> Claim(Fingerprint[] fingerprints, ClaimOwner owner);

    /// <summary>Waits a while on fingerprints another owner claims: one inserted meanwhile comes back Known, one whose claim was given back, outlived its lease or lost its owner's silo comes back Owned (the claim
    /// passed to <paramref name="owner"/>), the rest Pending, to be asked again. Interleaves: the owners' inserts must get
    /// in while it waits.</summary>
    [AlwaysInterleave]
    Task<ClaimState[]> AwaitClaims(Fingerprint[] fingerprints, ClaimOwner owner);

    /// <summary>Gives back claims of <paramref name="owner"/> that it will not insert (its segment failed or was
    /// cancelled); those waiting on them may claim them at once.</summary>
    Task ReleaseClaims(Fingerprint[] fingerprints, Guid owner);

    /// <summary>Adds entries whose bytes are already durable, ending any claims on them. An entry that another ingest
    /// added first is not replaced, and is reported as a collision.</summary>
    Task<bool[]> Insert(InsertBatch batch);

    [ReadOnly, Idempotent]
    Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints);

    /// <summary>Makes every change so far durable; returns the activation's epoch.</summary>
    [Idempotent]
    Task<Guid> Flush();

    /// <summary>Identifies this activation of the shard. Changes the shard received but had not flushed are lost only
    /// when its activation dies; an ingest that sees a shard's epoch change before it commits must not commit.</summary>
    [ReadOnly, Idempotent]
    Task<Guid> GetEpoch();

    [ReadOnly, Idempotent]
    Task<ShardStats> GetStats();

    [ReadOnly, Idempotent]
    Task<PackUsage[]> GetPackUsage();

    /// <summary>Streams the shard's entries, in pages, for verify and garbage collection.</summary>
    [ReadOnly]
    IAsyncEnumerable<IndexEntryView[]> ListEntries();

    Task Relocate(ChunkMove[] moves);

    /// <summary>Removes entries gc found no committed recipe or live alias to use; returns how many it removed.</summary>
    Task<int> Sweep(Fingerprint[] dead);

    /// <summary>Folds the shard's journal into a snapshot of what it holds now.</summary>
    Task Compact();
}
