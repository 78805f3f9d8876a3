using OrleansDedup.Chunking;
using OrleansDedup.Storage.Journal;

namespace OrleansDedup.Storage.Index;

/// <summary>
/// One shard of the chunk index: an in-memory map persisted as a journal of changes. Persisting a batch costs
/// the entries it touches; the journal is folded into a snapshot only when it has grown past the snapshot,
/// so rewriting stays proportional to what was added.
/// </summary>
public sealed class ShardIndex : IDisposable
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
        try
        {
            _journal.Load(record => ShardRecord.Apply(record, _entries));
        }
        catch
        {
            _journal.Dispose();
            throw;
        }
        foreach (var entry in _entries.Values)
            if (entry.Pieces is null) CountLive(entry.Location, +1);
    }

    /// <summary>Opens the shard once its journal is free. A shard that moves when its silo stops may start on the new silo
    /// before the activation it replaces has closed the journal, which that one does within moments. Still refused after
    /// <paramref name="wait"/>, the last refusal is thrown.</summary>
    public static async Task<ShardIndex> OpenAsync(string directory, int shard, TimeSpan wait, CancellationToken cancellation = default)
    {
        var until = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new ShardIndex(directory, shard);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100, cancellation);
            }
        }
    }

    public static string JournalName(int shard) => $"shard-{shard:D4}";

    public int Count => _entries.Count;

    public long Aliases => _entries.Values.LongCount(e => e.Pieces is not null);

    public long ChunkBytes => _liveBytesByPack.Values.Sum();

    public long MetadataBytes => _journal.LogBytes + _journal.SnapshotBytes;

    public ShardCounts Counts()
    {
        var aliases = Aliases;
        return new ShardCounts(Count - aliases, aliases, ChunkBytes, MetadataBytes);
    }

    /// <summary>Live chunk bytes per pack; garbage collection compacts packs that are mostly dead.</summary>
    public IReadOnlyDictionary<int, long> LiveBytesByPack => _liveBytesByPack;

    public bool Contains(in Fingerprint fingerprint) => _entries.ContainsKey(fingerprint);

    public bool TryGet(in Fingerprint fingerprint, out ShardEntry entry) => _entries.TryGetValue(fingerprint, out entry);

    /// <summary>The fingerprints held now, as a copy that later changes leave alone.</summary>
    public Fingerprint[] Fingerprints() => _entries.Keys.ToArray();

    /// <summary>Adds an entry unless the shard holds its fingerprint already: then it returns false and writes nothing.</summary>
    public bool TryAdd(in Fingerprint fingerprint, ChunkLocation location, AliasPiece[]? pieces)
    {
        if (_entries.ContainsKey(fingerprint)) return false;
        var entry = new ShardEntry(location, pieces);
        _entries[fingerprint] = entry;
        if (pieces is null) CountLive(location, +1);
        Append(ShardRecord.WriteEntry(_record, fingerprint, entry));
        return true;
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

    /// <summary>Points a chunk moved by compaction at its new place, but only if it still points at the old one.</summary>
    public void Relocate(in Fingerprint fingerprint, ChunkLocation from, ChunkLocation to)
    {
        if (!_entries.TryGetValue(fingerprint, out var entry) || entry.Pieces is not null || entry.Location != from) return;
        CountLive(entry.Location, -1);
        var moved = entry with { Location = to };
        _entries[fingerprint] = moved;
        CountLive(moved.Location, +1);
        Append(ShardRecord.WriteEntry(_record, fingerprint, moved));
    }

    /// <summary>Makes the changes durable, and folds the journal into a snapshot once it outgrows it.</summary>
    public void Flush(bool compact = false)
    {
        _journal.Flush();
        if (compact ? _journal.LogBytes > 0 : _journal.LogBytes > Math.Max(_journal.SnapshotBytes, 4 << 20))
        {
            _journal.Compact(writer =>
            {
                foreach (var (fp, entry) in _entries)
                    writer.Write(_record.AsSpan(0, ShardRecord.WriteEntry(_record, fp, entry)));
            });
        }
    }

    /// <summary>Flushes and closes the journal, and leaves the shard's <see cref="ShardSummary"/> beside it. A shard that
    /// was only read (a restore, a verify) keeps the summary it found: a read-only command writes nothing.</summary>
    public void Dispose()
    {
        _journal.Dispose();
        var counts = Counts();
        if (ShardSummary.TryRead(_directory, _shard) != counts) ShardSummary.Write(_directory, _shard, counts);
    }

    private void Append(int length) => _journal.Append(_record.AsSpan(0, length));

    private void CountLive(ChunkLocation location, int sign)
    {
        var bytes = _liveBytesByPack.GetValueOrDefault(location.Pack) + sign * (long)location.Length;
        if (bytes == 0) _liveBytesByPack.Remove(location.Pack);
        else _liveBytesByPack[location.Pack] = bytes;
    }
}
