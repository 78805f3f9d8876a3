using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Placement;

namespace OrleansDedup.Grains.Index;

/// <summary>A shard of the global chunk index. Its calls are short and in memory, so it stays non-reentrant:
/// every batch is applied atomically with respect to the others. Shards are spread over the silos by their number and
/// stay active for the life of their silo: an activation's end would change its epoch and fail the ingests in flight,
/// and reloading a shard costs a full journal replay.</summary>
[CollectionAgeLimit(Days = 3650)]
[ShardPlacement]
public sealed class FingerprintIndexGrain(StoreLayout layout, ILocalSiloDetails silo) : Grain, IFingerprintIndexGrain
{
    private readonly Guid _epoch = Guid.NewGuid();
    private ShardIndex _index = null!;
    private DedupMetrics? _metrics;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = new ShardIndex(layout.Index, (int)this.GetPrimaryKeyLong());
        (_metrics = (ServiceProvider.GetService(typeof(DedupMetrics)) as DedupMetrics))?.TrackShard((int)this.GetPrimaryKeyLong(), () => _index.Count);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _metrics?.UntrackShard((int)this.GetPrimaryKeyLong());
        _index.Flush();
        _index.Dispose();
        return Task.CompletedTask;
    }

    public Task<bool[]> AddReferences(ReferenceBatch batch) => Task.FromResult(_index.AddReferences(batch));

    public Task<bool[]> Insert(InsertBatch batch) => Task.FromResult(_index.Insert(batch));

    public Task<ReleaseResult> Release(ReferenceBatch batch, Guid? expectedEpoch) =>
        Task.FromResult(expectedEpoch is { } expected && expected != _epoch
            ? new ReleaseResult([], 0, Refused: true, _epoch)
            : _index.Release(batch) with { Epoch = _epoch });

    public Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints) => Task.FromResult(_index.Resolve(fingerprints));

    public Task<Guid> Flush()
    {
        _index.Flush();
        return Task.FromResult(_epoch);
    }

    public Task<Guid> GetEpoch() => Task.FromResult(_epoch);

    public Task<ShardStats> GetStats() => Task.FromResult(new ShardStats(
        (int)this.GetPrimaryKeyLong(), _index.Count - _index.Aliases, _index.Aliases, _index.ChunkBytes, _index.MetadataBytes,
        silo.Name));

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

    public Task SetReferences(ReferenceBatch batch)
    {
        _index.SetReferences(batch);
        return Task.CompletedTask;
    }

    public Task Relocate(ChunkMove[] moves)
    {
        _index.Relocate(moves);
        return Task.CompletedTask;
    }
}
