using System.Buffers;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Index;

/// <summary>
/// One shard of the chunk index: an in-memory map persisted as a journal of changes. Persisting a batch costs
/// the entries it touches; the journal is folded into a snapshot only when it has grown past the snapshot,
/// so rewriting stays proportional to what was added.
/// </summary>
internal sealed class ShardIndex : IDisposable
{
    private readonly Dictionary<Fingerprint, ShardEntry> _entries = new();
    private readonly Dictionary<int, long> _liveBytesByPack = new();
    private readonly RecordJournal _journal;
    private readonly byte[] _record = new byte[ShardRecord.MaxBytes];

    public ShardIndex(string directory, int shard)
    {
        Directory.CreateDirectory(directory);
        _journal = new RecordJournal(directory, $"shard-{shard:D4}");
        _journal.Load(record => ShardRecord.Apply(record, _entries));
        foreach (var entry in _entries.Values)
            if (entry.Pieces is null) CountLive(entry.Location, +1);
    }

    public int Count => _entries.Count;

    public long Aliases => _entries.Values.LongCount(e => e.Pieces is not null);

    public long ChunkBytes => _liveBytesByPack.Values.Sum();

    public long MetadataBytes => _journal.LogBytes + _journal.SnapshotBytes;

    /// <summary>Adds references to a fingerprint if the shard knows it; returns whether it did.</summary>
    public bool AddReferences(in Fingerprint fingerprint, int count)
    {
        if (!_entries.TryGetValue(fingerprint, out var entry)) return false;
        var updated = entry with { References = checked(entry.References + count) };
        _entries[fingerprint] = updated;
        Append(ShardRecord.WriteReferences(_record, fingerprint, updated.References));
        return true;
    }

    public bool[] Insert(InsertBatch batch)
    {
        var collided = new bool[batch.Entries.Length];
        for (var i = 0; i < collided.Length; i++)
        {
            var e = batch.Entries[i];
            if (_entries.TryGetValue(e.Fingerprint, out var existing))
            {
                collided[i] = true;
                var updated = existing with { References = checked(existing.References + e.References) };
                _entries[e.Fingerprint] = updated;
                Append(ShardRecord.WriteReferences(_record, e.Fingerprint, updated.References));
                continue;
            }
            var entry = new ShardEntry(e.Location, e.References, e.Pieces);
            _entries[e.Fingerprint] = entry;
            if (entry.Pieces is null) CountLive(entry.Location, +1);
            Append(ShardRecord.WriteEntry(_record, e.Fingerprint, entry));
        }
        return collided;
    }

    public ReleaseResult Release(ReferenceBatch batch)
    {
        List<AliasPiece>? orphaned = null;
        long released = 0;
        for (var i = 0; i < batch.Fingerprints.Length; i++)
        {
            ref readonly var fp = ref batch.Fingerprints[i];
            if (!_entries.TryGetValue(fp, out var entry))
                throw new InvalidOperationException($"Released a reference to {fp}, which the index does not hold.");
            var references = entry.References - batch.Counts[i];
            if (references < 0)
                throw new InvalidOperationException($"Released more references to {fp} than it has.");
            if (references > 0)
            {
                _entries[fp] = entry with { References = references };
                Append(ShardRecord.WriteReferences(_record, fp, references));
                continue;
            }
            _entries.Remove(fp);
            Append(ShardRecord.WriteRemoved(_record, fp));
            if (entry.Pieces is null)
            {
                CountLive(entry.Location, -1);
                released += entry.Location.Length;
            }
            else
            {
                (orphaned ??= new()).AddRange(entry.Pieces);
            }
        }
        return new ReleaseResult(orphaned?.ToArray() ?? [], released, Refused: false, Epoch: default);
    }

    public void SetReferences(ReferenceBatch batch)
    {
        for (var i = 0; i < batch.Fingerprints.Length; i++)
        {
            ref readonly var fp = ref batch.Fingerprints[i];
            if (!_entries.TryGetValue(fp, out var entry)) continue;
            if (batch.Counts[i] > 0)
            {
                _entries[fp] = entry with { References = batch.Counts[i] };
                Append(ShardRecord.WriteReferences(_record, fp, batch.Counts[i]));
                continue;
            }
            _entries.Remove(fp);
            Append(ShardRecord.WriteRemoved(_record, fp));
            if (entry.Pieces is null) CountLive(entry.Location, -1);
        }
    }

    public IndexEntryView[] Resolve(Fingerprint[] fingerprints)
    {
        var views = new IndexEntryView[fingerprints.Length];
        for (var i = 0; i < views.Length; i++)
            views[i] = View(fingerprints[i]);
        return views;
    }

    public IEnumerable<IndexEntryView[]> Pages(int pageSize)
    {
        var page = new List<IndexEntryView>(pageSize);
        foreach (var fp in _entries.Keys.ToArray())
        {
            page.Add(View(fp));
            if (page.Count == pageSize)
            {
                yield return page.ToArray();
                page.Clear();
            }
        }
        if (page.Count > 0) yield return page.ToArray();
    }

    public PackUsage[] PackUsage() => _liveBytesByPack.Select(p => new PackUsage(p.Key, p.Value)).ToArray();

    public void Relocate(ChunkMove[] moves)
    {
        foreach (var move in moves)
        {
            if (!_entries.TryGetValue(move.Fingerprint, out var entry) || entry.Pieces is not null || entry.Location != move.From)
                continue;
            CountLive(entry.Location, -1);
            var moved = entry with { Location = move.To };
            _entries[move.Fingerprint] = moved;
            CountLive(moved.Location, +1);
            Append(ShardRecord.WriteEntry(_record, move.Fingerprint, moved));
        }
    }

    /// <summary>Makes the changes durable, and folds the journal into a snapshot once it outgrows it.</summary>
    public void Flush(bool compact = false)
    {
        _journal.Flush();
        if (compact ? _journal.LogBytes > 0 : _journal.LogBytes > Math.Max(_journal.SnapshotBytes, 4 << 20))
            _journal.Compact(writer =>
            {
                foreach (var (fp, entry) in _entries)
                    writer.Write(_record.AsSpan(0, ShardRecord.WriteEntry(_record, fp, entry)));
            });
    }

    public void Dispose() => _journal.Dispose();

    private IndexEntryView View(in Fingerprint fp) => _entries.TryGetValue(fp, out var e)
        ? new IndexEntryView(fp, true, e.Location, e.References, e.Pieces)
        : new IndexEntryView(fp, false, default, 0, null);

    private void Append(int length) => _journal.Append(_record.AsSpan(0, length));

    private void CountLive(ChunkLocation location, int sign)
    {
        var bytes = _liveBytesByPack.GetValueOrDefault(location.Pack) + sign * (long)location.Length;
        if (bytes == 0) _liveBytesByPack.Remove(location.Pack);
        else _liveBytesByPack[location.Pack] = bytes;
    }
}
