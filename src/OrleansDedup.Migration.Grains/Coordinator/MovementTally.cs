using OrleansDedup.Chunking;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>What became of one image's recipe entries on their way to a destination: zero runs, repeats of a chunk sent
/// earlier (<paramref name="moved"/>, shared by the images of one migration), chunks the destination holds already, and
/// chunks it lacked, which are sent.</summary>
internal sealed class MovementTally(HashSet<Fingerprint> moved)
{
    private readonly HashSet<Fingerprint> _present = [];
    private long _zero, _dedup, _presentBytes, _chunkBytes, _chunks;
    private int _batches;

    /// <summary>Recipe bytes sent and fingerprints asked about and answered (32 bytes each way).</summary>
    public long Metadata { get; set; }

    /// <summary>Bytes of chunks that crossed the wire (compressed where that paid).</summary>
    public long WireBytes { get; set; }

    /// <summary>The fingerprints of the batch whose fate is not known yet: the set difference to ask the destination for.</summary>
    public Fingerprint[] Unknown(List<RecipeEntry> batch) =>
        batch.Where(e => !e.IsZero && !moved.Contains(e.Fingerprint) && !_present.Contains(e.Fingerprint))
            .Select(e => e.Fingerprint).Distinct().ToArray();

    public void Asked(int asked, int missing)
    {
        if (asked > 0) _batches++;
        Metadata += (asked + missing) * (long)Fingerprint.Size;
    }

    /// <summary>Counts the batch's entries, given the fingerprints the destination lacks; returns the chunks to send.</summary>
    public List<(Fingerprint Fingerprint, int Length)> Count(List<RecipeEntry> batch, HashSet<Fingerprint> lacking)
    {
        var send = new List<(Fingerprint Fingerprint, int Length)>();
        foreach (var e in batch)
        {
            if (e.IsZero)
            {
                _zero += e.Length;
            }
            else if (moved.Contains(e.Fingerprint))
            {
                _dedup += e.Length;
            }
            else if (_present.Contains(e.Fingerprint))
            {
                _presentBytes += e.Length;
            }
            else if (lacking.Contains(e.Fingerprint))
            {
                moved.Add(e.Fingerprint);
                send.Add((e.Fingerprint, e.Length));
                _chunkBytes += e.Length;
                _chunks++;
            }
            else
            {
                _present.Add(e.Fingerprint);
                _presentBytes += e.Length;
            }
        }
        return send;
    }

    public DataMovement Movement(long logicalBytes) =>
        new(logicalBytes, _chunkBytes, _chunks, Metadata, _zero, _dedup, _presentBytes, _batches, WireBytes);
}
