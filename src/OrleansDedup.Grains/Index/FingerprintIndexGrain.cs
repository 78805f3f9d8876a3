using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Placement;
using OrleansDedup.Storage.Index;

namespace OrleansDedup.Grains.Index;

/// <summary>A shard of the global chunk index. Its calls are short and in memory, so it stays non-reentrant:
/// every batch is applied atomically with respect to the others. Shards are spread over the silos by their number and
/// are never collected for idleness: reloading one costs a full journal replay.
/// <para>The epoch names an unbroken run of the shard's state: an ingest that sees it change knows that changes it
/// made may be lost. A crash starts a new epoch. A move does not: the shard flushes its journal before it leaves and
/// hands its epoch to the activation on the new silo, so ingests in flight go on. A shard moves when the balanced
/// placement puts it on another silo (one joined) or when its silo shuts down gracefully.</para></summary>
[CollectionAgeLimit(Days = 3650)]
[ShardPlacement]
public sealed class FingerprintIndexGrain(StoreLayout layout, ILocalSiloDetails silo, IClusterMembershipService membership,
    IOptions<DedupOptions> options, DedupMetrics metrics) : Grain, IFingerprintIndexGrain, IGrainMigrationParticipant
{
    private const string EpochKey = "epoch", ClaimsKey = "claims";

    /// <summary>An activation leaves (moves, or its silo shuts down) only once no call runs, and meanwhile holds the calls
    /// that arrive, the owners' inserts among them: so a waiting call returns within this, and the caller asks again.
    /// It is also how soon a waiter sees that the cluster declared an owner's silo dead.</summary>
    private static readonly TimeSpan ClaimWaitSlice = TimeSpan.FromSeconds(1);

    /// <summary>How long a new activation waits for the one it replaces (on a silo that is stopping) to close the journal.</summary>
    private static readonly TimeSpan JournalReleaseWait = TimeSpan.FromSeconds(10);

    private Guid _epoch = Guid.NewGuid();
    private ShardIndex _index = null!;
    private ShardClaims _claims = null!;
    private ClaimHandOver? _handedOver;
    private SiloAddress? _movingTo;
    private bool _closed;
    private bool _movedIn;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = await ShardIndex.OpenAsync(layout.Index, Shard, JournalReleaseWait, cancellationToken);
        _claims = new ShardClaims(_index, options.Value.ClaimTimeout, TimeProvider.System,
            owner => membership.CurrentSnapshot.GetSiloStatus(owner) == SiloStatus.Dead);
        if (_handedOver is not null) _claims.Import(_handedOver);
        metrics.TrackShard(Shard, () => _index.Count);
        if (_movedIn) metrics.ShardMovedIn();
        var period = options.Value.ShardRebalanceInterval;
        this.RegisterGrainTimer(CheckPlacement, new GrainTimerCreationOptions(period, period) { KeepAlive = false });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && Home(excludeLocal: true) is { } home) MoveTo(home);
        metrics.UntrackShard(Shard);
        _index.Flush();
        _index.Dispose();
        _closed = true;
        return Task.CompletedTask;
    }

    public void OnDehydrate(IDehydrationContext context)
    {
        // Everything the epoch vouches for must be on disk before another silo opens the journal under it. Orleans 10.4.2
        // dehydrates after OnDeactivateAsync, which has flushed and closed it already; its documentation says before.
        if (!_closed) _index.Flush();
        context.TryAddValue(EpochKey, _epoch);
        // The owners of the live claims go on storing those chunks and insert them here: released instead, their waiters
        // would store the same bytes again.
        context.TryAddValue(ClaimsKey, _claims.Export());
    }

    public void OnRehydrate(IRehydrationContext context)
    {
        if (context.TryGetValue(EpochKey, out Guid epoch)) (_epoch, _movedIn) = (epoch, true);
        if (context.TryGetValue(ClaimsKey, out ClaimHandOver? claims)) _handedOver = claims;
    }

    /// <summary>Moves once the placement has named the same other silo twice running, so that a silo still joining in
    /// one silo's view and not yet in another's does not send the shard back and forth.</summary>
    private Task CheckPlacement(CancellationToken cancellationToken)
    {
        var home = Home(excludeLocal: false);
        if (home is null || home.Equals(silo.SiloAddress)) _movingTo = null;
        else if (home.Equals(_movingTo)) MoveTo(home);
        else _movingTo = home;
        return Task.CompletedTask;
    }

    private SiloAddress? Home(bool excludeLocal)
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !(excludeLocal && m.SiloAddress.Equals(silo.SiloAddress)))
            .Select(m => m.SiloAddress).ToArray();
        return active.Length == 0 ? null : ShardPlacementDirector.Home(Shard, options.Value.ShardCount, active);
    }

    private void MoveTo(SiloAddress home)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, home);
        try
        {
            this.MigrateOnIdle();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    public Task<ClaimState[]> Claim(Fingerprint[] fingerprints, ClaimOwner owner) => Task.FromResult(_claims.Claim(fingerprints, owner));

    public Task<ClaimState[]> AwaitClaims(Fingerprint[] fingerprints, ClaimOwner owner) => _claims.Await(fingerprints, owner, ClaimWaitSlice);

    public Task ReleaseClaims(Fingerprint[] fingerprints, Guid owner)
    {
        _claims.Release(fingerprints, owner);
        return Task.CompletedTask;
    }

    public Task<bool[]> Insert(InsertBatch batch) => Task.FromResult(_claims.Insert(batch));

    public Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints) => Task.FromResult(_index.Resolve(fingerprints));

    public Task<Guid> Flush()
    {
        _index.Flush();
        return Task.FromResult(_epoch);
    }

    public Task<Guid> GetEpoch() => Task.FromResult(_epoch);

    public Task<ShardStats> GetStats() => Task.FromResult(_index.Stats(Shard, silo.Name));

    public Task<PackUsage[]> GetPackUsage() => Task.FromResult(_index.PackUsage());

    public async IAsyncEnumerable<IndexEntryView[]> ListEntries()
    {
        foreach (var page in _index.Pages(4096))
        {
            yield return page;
            await Task.Yield();
        }
    }

    public Task Compact()
    {
        _index.Flush(compact: true);
        return Task.CompletedTask;
    }

    public Task<int> Sweep(Fingerprint[] dead) => Task.FromResult(_index.Sweep(dead));

    public Task Relocate(ChunkMove[] moves)
    {
        _index.Relocate(moves);
        return Task.CompletedTask;
    }
}
