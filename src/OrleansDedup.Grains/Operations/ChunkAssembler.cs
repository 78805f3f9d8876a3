using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Operations;

/// <summary>
/// Fetches the bytes behind a batch of fingerprints: it resolves them in the index (one call per shard), resolves
/// aliases to their chunks in a second round, reads each chunk once, in pack order so that each frame is decoded once.
/// Callers check what they assemble against its fingerprint.
/// </summary>
public sealed class ChunkAssembler(ChunkStore store, Func<Fingerprint[], Task<IndexEntryView[]>> resolve) : IDisposable
{
    private readonly PackReader _packs = new(store, frames: 16);
    private readonly Dictionary<Fingerprint, (int Offset, int Length)> _chunks = new();
    private byte[] _arena = new byte[16 << 20];
    private int _used;

    /// <summary>Loads every fingerprint's bytes; afterwards <see cref="CopyTo"/> assembles them.</summary>
    public async Task<IReadOnlyDictionary<Fingerprint, IndexEntryView>> Load(Fingerprint[] fingerprints)
    {
        _chunks.Clear();
        _used = 0;
        var views = (await resolve(fingerprints)).ToDictionary(v => v.Fingerprint);
        if (views.Values.Any(v => !v.Found))
            throw new InvalidDataException($"the index has no chunk {views.Values.First(v => !v.Found).Fingerprint}; run verify");
        var pieceChunks = views.Values.Where(v => v.Pieces is not null).SelectMany(v => v.Pieces!).Select(p => p.Chunk)
            .Where(fp => !views.ContainsKey(fp)).Distinct().ToArray();
        if (pieceChunks.Length > 0)
        {
            foreach (var v in await resolve(pieceChunks))
            {
                if (!v.Found || v.Pieces is not null) throw new InvalidDataException($"an alias points at chunk {v.Fingerprint}, which the index does not hold");
                views[v.Fingerprint] = v;
            }
        }

        foreach (var v in views.Values.Where(v => v.Pieces is null).OrderBy(v => (v.Location.Pack, v.Location.Frame, v.Location.Offset)))
            ReadChunk(v);
        return views;
    }

    public void Dispose() => _packs.Dispose();

    /// <summary>Writes the bytes of <paramref name="view"/> (a chunk or an alias) into <paramref name="destination"/>.</summary>
    public int CopyTo(in IndexEntryView view, Span<byte> destination)
    {
        if (view.Pieces is null)
        {
            var (offset, length) = _chunks[view.Fingerprint];
            _arena.AsSpan(offset, length).CopyTo(destination);
            return length;
        }
        var at = 0;
        foreach (var piece in view.Pieces)
        {
            var (offset, length) = _chunks[piece.Chunk];
            if (piece.Offset + piece.Length > length) throw new InvalidDataException($"an alias piece runs past the end of chunk {piece.Chunk}");
            _arena.AsSpan(offset + piece.Offset, piece.Length).CopyTo(destination[at..]);
            at += piece.Length;
        }
        return at;
    }

    private void ReadChunk(in IndexEntryView view)
    {
        if (_chunks.ContainsKey(view.Fingerprint)) return;
        var length = view.Location.Length;
        if (_used + length > _arena.Length) Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _used + length));
        _packs.Read(view.Location, _arena.AsSpan(_used, length));
        _chunks[view.Fingerprint] = (_used, length);
        _used += length;
    }
}
