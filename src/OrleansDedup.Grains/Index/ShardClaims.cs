using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Index;

namespace OrleansDedup.Grains.Index;

/// <summary>
/// The fingerprints of one shard that an ingest is storing now, so that concurrent ingests write each new chunk once.
/// A fingerprint neither indexed nor claimed is claimed for the ingest that meets it first; that owner writes the bytes,
/// makes them durable and inserts the entry, which ends the claim. Another ingest meeting the claim waits for the insert
/// and then only refers to it. A claim also ends when its owner gives it back (its segment failed or was cancelled),
/// and passes to a waiter once the cluster has declared the owner's silo dead (<paramref name="isDead"/>) or once it is
/// older than the lease: an owner whose silo died without the cluster noticing holds no one up for longer.
/// Claims live in memory: a shard that restarts loses them, and its new epoch fails the ingests that relied on them.
/// </summary>
internal sealed class ShardClaims(ShardIndex index, TimeSpan lease, TimeProvider time, Func<SiloAddress, bool> isDead)
{
    private readonly Dictionary<Fingerprint, Holder> _claims = new();
    private TaskCompletionSource _ended = NewSignal();

    /// <summary>Per fingerprint: Known (indexed), Owned (claimed for <paramref name="owner"/>) or Pending (another
    /// owner's live claim).</summary>
    public ClaimState[] Claim(Fingerprint[] fingerprints, ClaimOwner owner)
    {
        var states = new ClaimState[fingerprints.Length];
        Settle(fingerprints, owner, states);
        return states;
    }

    /// <summary>Settles what it can of the Pending states: Known once the entry exists, Owned once its claim has ended,
    /// expired or lost its owner's silo. Returns whether any is still pending.</summary>
    public bool Settle(Fingerprint[] fingerprints, ClaimOwner owner, ClaimState[] states)
    {
        var now = time.GetTimestamp();
        var pending = false;
        for (var i = 0; i < states.Length; i++)
        {
            if (states[i] != ClaimState.Pending) continue;
            ref readonly var fp = ref fingerprints[i];
            if (index.Contains(fp)) states[i] = ClaimState.Known;
            else if (TryTake(fp, owner, now)) states[i] = ClaimState.Owned;
            else pending = true;
        }
        return pending;
    }

    /// <summary>Claims, then waits while some fingerprint is pending, up to <paramref name="slice"/>: each claim that ends
    /// or expires meanwhile settles its fingerprint. The rest come back Pending, for the caller to ask again.</summary>
    public async Task<ClaimState[]> Await(Fingerprint[] fingerprints, ClaimOwner owner, TimeSpan slice)
    {
        var started = time.GetTimestamp();
        var states = new ClaimState[fingerprints.Length];
        while (Settle(fingerprints, owner, states))
        {
            var left = slice - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) break;
            using var timeout = new CancellationTokenSource();
            var expiry = UntilExpiry(fingerprints, states);
            await Task.WhenAny(_ended.Task, Task.Delay(expiry < left ? expiry : left, time, timeout.Token));
            timeout.Cancel();
        }
        return states;
    }

    /// <summary>Inserts entries whose bytes are durable; their claims end, whoever holds them: an indexed fingerprint
    /// needs none.</summary>
    public bool[] Insert(InsertBatch batch)
    {
        var collided = index.Insert(batch);
        var ended = false;
        foreach (var entry in batch.Entries) ended |= _claims.Remove(entry.Fingerprint);
        if (ended) Signal();
        return collided;
    }

    /// <summary>Ends the claims <paramref name="owner"/> still holds on these fingerprints (claims passed on stay).</summary>
    public void Release(Fingerprint[] fingerprints, Guid owner)
    {
        var ended = false;
        foreach (var fp in fingerprints)
            if (_claims.TryGetValue(fp, out var claim) && claim.Owner.Id == owner) ended |= _claims.Remove(fp);
        if (ended) Signal();
    }

    /// <summary>The live claims with their ages, for the activation that takes the shard over.</summary>
    public ClaimHandOver Export() => new(
        _claims.Keys.ToArray(), _claims.Values.Select(c => c.Owner).ToArray(), _claims.Values.Select(c => time.GetElapsedTime(c.Since)).ToArray());

    /// <summary>Takes on the claims a previous activation handed over, each as old as it was then.</summary>
    public void Import(ClaimHandOver handOver)
    {
        var now = time.GetTimestamp();
        for (var i = 0; i < handOver.Fingerprints.Length; i++)
            _claims[handOver.Fingerprints[i]] = new Holder(handOver.Owners[i], now - (long)(handOver.Ages[i].TotalSeconds * time.TimestampFrequency));
    }

    private bool TryTake(in Fingerprint fingerprint, ClaimOwner owner, long now)
    {
        if (_claims.TryGetValue(fingerprint, out var claim) && claim.Owner.Id != owner.Id
            && time.GetElapsedTime(claim.Since, now) < lease && !isDead(claim.Owner.Silo))
        {
            return false;
        }

        _claims[fingerprint] = new Holder(owner, now);
        return true;
    }

    /// <summary>How long until the first of the pending fingerprints' claims expires.</summary>
    private TimeSpan UntilExpiry(Fingerprint[] fingerprints, ClaimState[] states)
    {
        var now = time.GetTimestamp();
        var oldest = now;
        for (var i = 0; i < states.Length; i++)
        {
            if (states[i] == ClaimState.Pending && _claims.TryGetValue(fingerprints[i], out var claim) && claim.Since < oldest)
                oldest = claim.Since;
        }

        var until = lease - time.GetElapsedTime(oldest, now);
        return until > TimeSpan.Zero ? until : TimeSpan.Zero;
    }

    /// <summary>Wakes every waiter to settle again: one signal per batch that ended claims, not one per claim.</summary>
    private void Signal()
    {
        var ended = _ended;
        _ended = NewSignal();
        ended.SetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct Holder(ClaimOwner Owner, long Since);
}

/// <summary>A shard's live claims as it moves to another silo: the owners are still storing those chunks, and the
/// activation that takes the shard over must keep others from storing them too.</summary>
[GenerateSerializer, Immutable]
internal sealed record ClaimHandOver(
    [property: Id(0)] Fingerprint[] Fingerprints, [property: Id(1)] ClaimOwner[] Owners, [property: Id(2)] TimeSpan[] Ages);
