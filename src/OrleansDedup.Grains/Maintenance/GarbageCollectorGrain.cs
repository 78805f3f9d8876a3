using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Maintenance;

/// <summary>
/// Reclaims what no image uses: the index is swept (<see cref="IndexSweep"/>), then packs with no live chunk are deleted; packs mostly dead are compacted
/// (live chunks copied to a new pack, made durable, the index pointed at them, then the old pack deleted).
/// Packs still open for writing are left alone, so a running ingest is never disturbed.
/// </summary>
public sealed class GarbageCollectorGrain(ChunkStore store, IndexRouter index, StoreLayout layout, IOptions<DedupOptions> options,
    DedupMetrics metrics) : Grain, IGarbageCollectorGrain
{
    private bool _sweeping;

    /// <summary>A pack whose live share is below this is rewritten.</summary>
    private const double CompactBelow = 0.75;

    public Task<bool> TryBeginIngest() => Task.FromResult(!_sweeping);

    public async Task<GcResult> Collect()
    {
        IndexSweep.Outcome sweep;
        _sweeping = true;
        try
        {
            sweep = await new IndexSweep(GrainFactory, index, layout, options.Value.IngestHeartbeatExpiry).Run();
        }
        finally
        {
            _sweeping = false;
        }
        var before = store.TotalBytes();
        // Packs closed before the usage is read: an ingest indexes a pack's chunks before it closes it, so their chunks
        // are all in the usage, and a pack that an ingest started meanwhile and has closed since is not taken for dead.
        var closed = store.ListPacks().Where(p => !store.IsOpenForWriting(p.Id)).ToArray();
        var usage = (await Task.WhenAll(Enumerable.Range(0, index.ShardCount).Select(s => index.Shard(s).GetPackUsage())))
            .SelectMany(u => u).GroupBy(u => u.Pack).ToDictionary(g => g.Key, g => g.Sum(u => u.LiveBytes));
        var deleted = 0;
        var toCompact = new HashSet<int>();
        foreach (var pack in closed)
        {
            // Usage counts raw chunk bytes, so it is compared with the raw bytes the pack's frames hold.
            var live = usage.GetValueOrDefault(pack.Id);
            if (live == 0)
            {
                store.DeletePack(pack.Id);
                deleted++;
            }
            else if (live < PackScanner.Frames(store.PackPath(pack.Id)).Sum(f => (long)f.RawLength) * CompactBelow)
            {
                toCompact.Add(pack.Id);
            }
        }
        if (toCompact.Count > 0) await Compact(toCompact);
        await Task.WhenAll(Enumerable.Range(0, index.ShardCount).Select(s => index.Shard(s).Compact()));
        var after = store.TotalBytes();
        metrics.GcFinished(before - after);
        return new GcResult(deleted, toCompact.Count, before, after, sweep.Swept, sweep.Abandoned, sweep.Skipped);
    }

    /// <summary>Copies the live chunks of <paramref name="packs"/> into a new pack, in their old order so that neighbours
    /// share frames again, then points the index at the copies and deletes the old packs.</summary>
    private async Task Compact(HashSet<int> packs)
    {
        var live = new List<IndexEntryView>();
        await foreach (var entry in index.ListAll())
            if (entry.Pieces is null && packs.Contains(entry.Location.Pack)) live.Add(entry);
        live.Sort((a, b) => (a.Location.Pack, a.Location.Frame, a.Location.Offset).CompareTo((b.Location.Pack, b.Location.Frame, b.Location.Offset)));
        var moves = new ChunkMove[live.Count];
        using (var reader = new PackReader(store))
        using (var writer = store.CreateWriter())
        {
            var buffer = new byte[64 << 10];
            var copies = new int[live.Count];
            for (var i = 0; i < live.Count; i++)
            {
                var entry = live[i];
                if (buffer.Length < entry.Location.Length) buffer = new byte[entry.Location.Length];
                var bytes = buffer.AsSpan(0, entry.Location.Length);
                reader.Read(entry.Location, bytes);
                copies[i] = writer.Append(entry.Fingerprint, bytes);
            }
            writer.Flush();
            for (var i = 0; i < live.Count; i++) moves[i] = new ChunkMove(live[i].Fingerprint, live[i].Location, writer.LocationOf(copies[i]));
        }
        foreach (var group in moves.GroupBy(m => m.Fingerprint.Shard(index.ShardCount)))
            await index.Shard(group.Key).Relocate(group.ToArray());
        await index.FlushAll();
        foreach (var pack in packs) store.DeletePack(pack);
    }
}
