using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>
/// Takes a segment's chunks (and the adaptive method's aliases) through the index's claims, so that concurrent ingests
/// write each new chunk once: the shard claims an unknown fingerprint for the first segment that meets it, and the others
/// wait for its insert and then only refer to it. A round stores and inserts everything this segment claimed before
/// it waits on anyone, so segments never wait on each other in a circle (an alias's owner waits only on chunk claims,
/// whose owners wait on nothing while they hold them). A claim that passes to the segment while it waits (given back,
/// or past its lease) is stored in a further round from the batch, which is still in memory.
/// </summary>
internal sealed class ChunkClaims(IndexRouter index, SiloAddress silo, CancellationToken cancellation)
{
    private readonly ClaimOwner _owner = new(Guid.NewGuid(), silo);

    /// <summary>Fingerprints the segment may hold claims on and has not inserted: what a failed segment gives back. A
    /// claiming call enters all it asks for first: one that fails part-way may have claimed some on the shards it reached.
    /// Giving back a fingerprint the segment does not hold changes nothing.</summary>
    private readonly HashSet<Fingerprint> _held = new();

    /// <summary>Settles a batch's distinct fingerprints: <paramref name="storeOwned"/> gets the positions the segment
    /// claimed in a round; it writes their bytes, makes them durable and inserts them. Returns, per fingerprint, whether
    /// what was stored before (or by another ingest) serves it.</summary>
    public async Task<bool[]> Take(Fingerprint[] fingerprints, Func<int[], Task> storeOwned)
    {
        var known = new bool[fingerprints.Length];
        var open = Enumerable.Range(0, fingerprints.Length).ToArray();
        _held.UnionWith(fingerprints);
        var states = await index.Claim(fingerprints, _owner);
        while (true)
        {
            var owned = new List<int>();
            var pending = new List<int>();
            for (var j = 0; j < open.Length; j++)
            {
                var i = open[j];
                if (states[j] == ClaimState.Owned)
                {
                    owned.Add(i);
                    continue;
                }
                _held.Remove(fingerprints[i]);
                if (states[j] == ClaimState.Pending)
                {
                    pending.Add(i);
                    continue;
                }
                known[i] = true;
            }
            if (owned.Count > 0)
            {
                await storeOwned(owned.ToArray());
                foreach (var i in owned) _held.Remove(fingerprints[i]);
            }
            if (pending.Count == 0) return known;
            cancellation.ThrowIfCancellationRequested();
            open = pending.ToArray();
            var waiting = open.Select(i => fingerprints[i]).ToArray();
            _held.UnionWith(waiting);
            states = await index.AwaitClaims(waiting, _owner);
        }
    }

    /// <summary>Gives back the claims a failed or cancelled segment will not insert, so that the ingests waiting on them
    /// take them over at once. Best effort: a claim not given back ends with its lease.</summary>
    public async Task ReleaseAll()
    {
        if (_held.Count == 0) return;
        try
        {
            await index.ReleaseClaims(_held.ToArray(), _owner.Id);
        }
        catch (Exception)
        {
            // the shard is out of reach; its claims expire
        }
        _held.Clear();
    }
}
