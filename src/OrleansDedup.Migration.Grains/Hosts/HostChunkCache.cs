using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>
/// A host's chunk cache: a chunk store of its own in <c>{host}/packs</c>, indexed in memory by fingerprint. The index is
/// rebuilt by scanning the packs (every record carries its fingerprint, and a torn tail is skipped), so the cache survives
/// restarts without a journal of its own.
/// </summary>
internal sealed class HostChunkCache
{
    private readonly Dictionary<Fingerprint, ChunkLocation> _index = new();

    public HostChunkCache(string directory, PackSettings settings)
    {
        Store = SharedChunkStores.For(directory, settings);
        foreach (var pack in Store.ListPacks())
        {
            if (Store.IsOpenForWriting(pack.Id)) continue;
            foreach (var record in PackScanner.Scan(Store.PackPath(pack.Id)))
                if (_index.TryAdd(record.Fingerprint, record.Location)) ChunkBytes += record.Location.Length;
        }
    }

    public ChunkStore Store { get; }

    public long Chunks => _index.Count;

    public long ChunkBytes { get; private set; }

    /// <summary>The set difference: those of <paramref name="fingerprints"/> the cache does not hold.</summary>
    public Fingerprint[] Missing(Fingerprint[] fingerprints) => fingerprints.Where(f => !_index.ContainsKey(f)).Distinct().ToArray();

    /// <summary>Where the cache holds each chunk, for a restore from this cache alone; a chunk it lacks fails the restore.</summary>
    public IndexEntryView[] Resolve(Fingerprint[] fingerprints, string host) => fingerprints.Select(f => _index.TryGetValue(f, out var location)
        ? new IndexEntryView(f, true, location, null)
        : throw new InvalidDataException($"host {host} lacks chunk {f}")).ToArray();

    /// <summary>Adds the batch's chunks, each checked against its fingerprint, durable on return; returns bytes written.</summary>
    public long Add(ChunkBatch batch)
    {
        var n = batch.Fingerprints.Length;
        if (batch.Offsets.Length != n + 1 || batch.Offsets[0] != 0 || (!batch.Compressed && batch.Offsets[n] != batch.Data.Length))
            throw new ArgumentException("the chunk batch's offsets do not match its data");
        var raw = batch.Data;
        if (batch.Compressed)
        {
            raw = new byte[batch.Offsets[n]];
            if (!FrameDecompressor.TryDecompress(batch.Data, raw, out var error)) throw new InvalidDataException($"the chunk batch {error}; nothing was stored");
        }
        var bad = FingerprintSlices.FindMismatch(raw, n, i => (batch.Offsets[i], batch.Offsets[i + 1] - batch.Offsets[i]), i => batch.Fingerprints[i]);
        if (bad >= 0) throw new InvalidDataException($"chunk {batch.Fingerprints[bad]} does not match its bytes; nothing was stored");
        var added = new Dictionary<Fingerprint, int>();
        long written = 0;
        using (var writer = Store.CreateWriter())
        {
            for (var i = 0; i < n; i++)
            {
                var fp = batch.Fingerprints[i];
                if (_index.ContainsKey(fp) || added.ContainsKey(fp)) continue;
                var data = raw.AsSpan(batch.Offsets[i], batch.Offsets[i + 1] - batch.Offsets[i]);
                added[fp] = writer.Append(fp, data);
                written += data.Length;
            }
            writer.Flush();
            // Only durable chunks enter the index.
            foreach (var (fp, chunk) in added) _index[fp] = writer.LocationOf(chunk);
        }
        ChunkBytes += written;
        return written;
    }
}
