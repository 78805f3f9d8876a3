using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Index;

/// <summary>Talks to the sharded index in batches: one call per shard per batch, all shards at once.</summary>
public sealed class IndexRouter(IGrainFactory grains, IOptions<DedupOptions> options, DedupMetrics metrics)
{
    private readonly int _shardCount = options.Value.ShardCount;

    public int ShardCount => _shardCount;

    public IFingerprintIndexGrain Shard(int shard) => grains.GetGrain<IFingerprintIndexGrain>(shard);

    /// <summary>Claims the fingerprints the index does not hold for <paramref name="owner"/>; per fingerprint, what it
    /// found (see <see cref="IFingerprintIndexGrain.Claim"/>).</summary>
    public Task<ClaimState[]> Claim(Fingerprint[] fingerprints, ClaimOwner owner) =>
        Scatter("claim", fingerprints.Length, i => fingerprints[i], (shard, idx) => Shard(shard).Claim(Pick(fingerprints, idx), owner));

    /// <summary>Waits a while on fingerprints others claim (see <see cref="IFingerprintIndexGrain.AwaitClaims"/>).</summary>
    public Task<ClaimState[]> AwaitClaims(Fingerprint[] fingerprints, ClaimOwner owner) =>
        Scatter("await_claims", fingerprints.Length, i => fingerprints[i], (shard, idx) => Shard(shard).AwaitClaims(Pick(fingerprints, idx), owner));

    public Task ReleaseClaims(Fingerprint[] fingerprints, Guid owner) =>
        Task.WhenAll(Group(fingerprints.Length, i => fingerprints[i]).Select(g => Shard(g.Key).ReleaseClaims(Pick(fingerprints, g.Value), owner)));

    /// <summary>Inserts entries; returns, per entry, whether another ingest had inserted it first.</summary>
    public Task<bool[]> Insert(NewIndexEntry[] entries) =>
        Scatter("insert", entries.Length, i => entries[i].Fingerprint,
            (shard, idx) => Shard(shard).Insert(new InsertBatch(Pick(entries, idx))));

    public Task<IndexEntryView[]> Resolve(Fingerprint[] fingerprints) =>
        Scatter("resolve", fingerprints.Length, i => fingerprints[i], (shard, idx) => Shard(shard).Resolve(Pick(fingerprints, idx)));

    /// <summary>Removes entries found unused, one call per shard; returns how many went.</summary>
    public async Task<int> Sweep(Fingerprint[] dead) =>
        (await Task.WhenAll(Group(dead.Length, i => dead[i]).Select(g => Shard(g.Key).Sweep(Pick(dead, g.Value))))).Sum();

    /// <summary>Makes the shards holding these fingerprints durable. With <paramref name="epochs"/> (per shard, taken
    /// when the changes began), a shard that restarted in between may have lost some of them before this flush, so that
    /// is an interrupted ingest, not a durable state.</summary>
    public async Task FlushShardsOf(IReadOnlyList<Fingerprint> fingerprints, Guid[]? epochs)
    {
        var groups = Group(fingerprints.Count, i => fingerprints[i]);
        await Flush(groups.Select(g => g.Key), epochs);
    }

    /// <summary>Flushes every shard; with <paramref name="epochs"/>, checks them as <see cref="FlushShardsOf"/> does.</summary>
    public Task FlushAll(Guid[]? epochs = null) => Flush(Enumerable.Range(0, _shardCount), epochs);

    private async Task Flush(IEnumerable<int> shards, Guid[]? epochs)
    {
        var list = shards.ToArray();
        var flushed = await Task.WhenAll(list.Select(s => Shard(s).Flush()));
        for (var i = 0; i < list.Length; i++)
        {
            if (epochs is not null && flushed[i] != epochs[list[i]])
            {
                throw new IngestException(IngestErrorKind.SiloLost,
                    "an index shard restarted during the ingest (a silo left the cluster), so its latest changes may be lost; ingest the image again");
            }
        }
    }

    public Task<Guid[]> Epochs() => Task.WhenAll(Enumerable.Range(0, _shardCount).Select(s => Shard(s).GetEpoch()));

    /// <summary>Every entry of every shard. A shard that moves to another silo mid-listing (a silo joined or stopped)
    /// loses its enumerator; its listing then starts over on the new activation, so each shard's entries are gathered
    /// before any is given out.</summary>
    public async IAsyncEnumerable<IndexEntryView> ListAll()
    {
        for (var s = 0; s < _shardCount; s++)
        {
            foreach (var entry in await ListShard(s))
                yield return entry;
        }
    }

    private async Task<List<IndexEntryView>> ListShard(int shard)
    {
        for (var attempt = 1; ; attempt++)
        {
            var entries = new List<IndexEntryView>();
            try
            {
                await foreach (var page in Shard(shard).ListEntries())
                {
                    foreach (var entry in page)
                        if (entry.Found) entries.Add(entry);
                }

                return entries;
            }
            catch (EnumerationAbortedException) when (attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private async Task<TResult[]> Scatter<TResult>(string operation, int count, Func<int, Fingerprint> key, Func<int, int[], Task<TResult[]>> call)
    {
        var results = new TResult[count];
        var groups = Group(count, key);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var replies = await Task.WhenAll(groups.Select(g => call(g.Key, g.Value)));
        metrics.IndexBatch(operation, started);
        var k = 0;
        foreach (var (_, indices) in groups)
        {
            var reply = replies[k++];
            for (var j = 0; j < indices.Length; j++) results[indices[j]] = reply[j];
        }
        return results;
    }

    private List<KeyValuePair<int, int[]>> Group(int count, Func<int, Fingerprint> key)
    {
        var shards = new int[count];
        var sizes = new int[_shardCount];
        for (var i = 0; i < count; i++) sizes[shards[i] = key(i).Shard(_shardCount)]++;
        var groups = new int[_shardCount][];
        var fill = new int[_shardCount];
        for (var s = 0; s < _shardCount; s++) groups[s] = sizes[s] == 0 ? [] : new int[sizes[s]];
        for (var i = 0; i < count; i++) groups[shards[i]][fill[shards[i]]++] = i;
        var list = new List<KeyValuePair<int, int[]>>();
        for (var s = 0; s < _shardCount; s++)
            if (sizes[s] > 0) list.Add(new(s, groups[s]));
        return list;
    }

    private static T[] Pick<T>(T[] source, int[] indices)
    {
        var picked = new T[indices.Length];
        for (var i = 0; i < indices.Length; i++) picked[i] = source[indices[i]];
        return picked;
    }
}
