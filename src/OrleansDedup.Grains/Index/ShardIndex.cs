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
    private readonly string _directory;
    private readonly int _shard;
    private readonly byte[] _record = new byte[ShardRecord.MaxBytes];

    public ShardIndex(string directory, int shard)
    {
        Directory.CreateDirectory(directory);
        (_directory, _shard) = (directory, shard);
        _journal = new RecordJournal(directory, JournalName(shard));
        _journal.Load(record => ShardRecord.Apply(record, _entries));
        foreach (var entry in _entries.Values)
            if (entry.Pieces is null) CountLive(entry.Location, +1);
    }

    public static string JournalName(int shard) => $"shard-{shard:D4}";

    public int Count => _entries.Count;

    public long Aliases => _entries.Values.LongCount(e => e.Pieces is not null);

    public long ChunkBytes => _liveBytesByPack.Values.Sum();

    public long MetadataBytes => _journal.LogBytes + _journal.SnapshotBytes;

    public ShardStats Stats(string silo)
    {
        var aliases = Aliases;
        return new ShardStats(_shard, Count - aliases, aliases, ChunkBytes, MetadataBytes, silo);
    }

    public bool Contains(in Fingerprint fingerprint) => _entries.ContainsKey(fingerprint);

    /// <summary>Adds the entries the shard does not hold; returns, per entry, whether it held it already (then nothing
    /// is written).</summary>
    public bool[] Insert(InsertBatch batch)
    {
        var collided = new bool[batch.Entries.Length];
        for (var i = 0; i < collided.Length; i++)
        {
            var e = batch.Entries[i];
            if (_entries.ContainsKey(e.Fingerprint))
            {
                collided[i] = true;
                continue;
            }
            var entry = new ShardEntry(e.Location, e.Pieces);
            _entries[e.Fingerprint] = entry;
            if (entry.Pieces is null) CountLive(entry.Location, +1);
            Append(ShardRecord.WriteEntry(_record, e.Fingerprint, entry));
        }
        return collided;
    }

    /// <summary>Removes the entries gc found unused; returns how many there were.</summary>
    public int Sweep(Fingerprint[] dead)
    {
        var removed = 0;
        foreach (var fp in dead)
        {
            if (!_entries.Remove(fp, out var entry)) continue;
            Append(ShardRecord.WriteRemoved(_record, fp));
            if (entry.Pieces is null) CountLive(entry.Location, -1);
            removed++;
        }
        return removed;
    }

    public IndexEntryView[] Resolve(Fingerprint[] fingerprints)
    {
        var views = new IndexEntryView[fingerprints.Length];
        for (var i = 0; i < views.Length; i++)
            views[i] = Resolve(fingerprints[i]);
        return views;
    }

    public IndexEntryView Resolve(in Fingerprint fp) => _entries.TryGetValue(fp, out var e)
        ? new IndexEntryView(fp, true, e.Location, e.Pieces)
        : new IndexEntryView(fp, false, default, null);

    public IEnumerable<IndexEntryView[]> Pages(int pageSize)
    {
        var page = new List<IndexEntryView>(pageSize);
        foreach (var fp in _entries.Keys.ToArray())
        {
            page.Add(Resolve(fp));
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

    /// <summary>Flushes and closes the journal, and leaves the shard's <see cref="ShardSummary"/> beside it.</summary>
    public void Dispose()
    {
        _journal.Dispose();
        ShardSummary.Write(_directory, Stats(""));
    }

    private void Append(int length) => _journal.Append(_record.AsSpan(0, length));

    private void CountLive(ChunkLocation location, int sign)
    {
        var bytes = _liveBytesByPack.GetValueOrDefault(location.Pack) + sign * (long)location.Length;
        if (bytes == 0) _liveBytesByPack.Remove(location.Pack);
        else _liveBytesByPack[location.Pack] = bytes;
    }
}
