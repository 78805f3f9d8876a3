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

    /// <summary>Fingerprints the segment holds claims on and has not inserted: with <see cref="_asking"/>, what a failed
    /// segment gives back. Giving back a fingerprint the segment does not hold changes nothing.</summary>
    private readonly HashSet<Fingerprint> _held = new();

    /// <summary>The fingerprints of the claiming calls under way (a batch's chunks are claimed while its blocks'
    /// claims are settled): a call that fails part-way may have claimed some on the shards it reached. Kept by
    /// reference, so that the fingerprints found known cost nothing.</summary>
    private readonly List<Fingerprint[]> _asking = [];

    /// <summary>Settles a batch's distinct fingerprints: <paramref name="storeOwned"/> gets the positions the segment
    /// claimed in a round; it writes their bytes, makes them durable and inserts them. Returns, per fingerprint, whether
    /// what was stored before (or by another ingest) serves it.</summary>
    public async Task<bool[]> Take(Fingerprint[] fingerprints, Func<int[], Task> storeOwned)
    {
        var known = new bool[fingerprints.Length];
        var open = Enumerable.Range(0, fingerprints.Length).ToArray();
        var states = await Asking(fingerprints, () => index.Claim(fingerprints, _owner));
        while (true)
        {
            var owned = new List<int>();
            var pending = new List<int>();
            for (var j = 0; j < open.Length; j++)
            {
                var i = open[j];
                if (states[j] == ClaimState.Owned) owned.Add(i);
                else if (states[j] == ClaimState.Pending) pending.Add(i);
                else known[i] = true;
            }
            if (owned.Count > 0)
            {
                foreach (var i in owned) _held.Add(fingerprints[i]);
                await storeOwned(owned.ToArray());
                foreach (var i in owned) _held.Remove(fingerprints[i]);
            }
            if (pending.Count == 0) return known;
            cancellation.ThrowIfCancellationRequested();
            open = pending.ToArray();
            var waiting = open.Select(i => fingerprints[i]).ToArray();
            states = await Asking(waiting, () => index.AwaitClaims(waiting, _owner));
        }
    }

    /// <summary>Runs a claiming call, counting what it asks for as held until it answers (the answer says what is).</summary>
    private async Task<ClaimState[]> Asking(Fingerprint[] fingerprints, Func<Task<ClaimState[]>> call)
    {
        _asking.Add(fingerprints);
        var states = await call();
        _asking.Remove(fingerprints);
        return states;
    }

    /// <summary>Gives back the claims a failed or cancelled segment will not insert, so that the ingests waiting on them
    /// take them over at once. Best effort: a claim not given back ends with its lease.</summary>
    public async Task ReleaseAll()
    {
        foreach (var asked in _asking) _held.UnionWith(asked);
        _asking.Clear();
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
