using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;

namespace OrleansDedup.Grains.Segments;

/// <summary>The references a segment holds in the index so far, so that a failed or cancelled segment gives back
/// exactly what it took. References that moved into aliases are held through those aliases.</summary>
internal sealed class ReferenceLedger
{
    private readonly Dictionary<Fingerprint, int> _held = new();

    public void Add(Fingerprint[] fingerprints, int[] counts)
    {
        for (var i = 0; i < fingerprints.Length; i++) Add(fingerprints[i], counts[i]);
    }

    public void Add(in Fingerprint fingerprint, int count)
    {
        var now = _held.GetValueOrDefault(fingerprint) + count;
        if (now == 0) _held.Remove(fingerprint);
        else _held[fingerprint] = now;
    }

    /// <summary>Gives every held reference back; aliases cascade to their chunks in the index. Shards that restarted
    /// since <paramref name="epochs"/> keep theirs, for gc's recount.</summary>
    public async Task ReleaseAll(IndexRouter index, Guid[]? epochs)
    {
        foreach (var page in _held.Chunk(65536))
            await index.Release(page.Select(p => p.Key).ToArray(), page.Select(p => p.Value).ToArray(), epochs);
        _held.Clear();
    }
}
