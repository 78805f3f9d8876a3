using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Index;

namespace OrleansDedup.Grains.Index;

/// <summary>The index grain's messages applied to the Orleans-free <see cref="ShardIndex"/>, batch by batch.</summary>
internal static class ShardIndexMessages
{
    /// <summary>Adds the entries the shard does not hold; returns, per entry, whether it held it already (then nothing
    /// is written).</summary>
    public static bool[] Insert(this ShardIndex index, InsertBatch batch)
    {
        var collided = new bool[batch.Entries.Length];
        for (var i = 0; i < collided.Length; i++)
        {
            var e = batch.Entries[i];
            collided[i] = !index.TryAdd(e.Fingerprint, e.Location, e.Pieces);
        }
        return collided;
    }

    public static IndexEntryView[] Resolve(this ShardIndex index, Fingerprint[] fingerprints)
    {
        var views = new IndexEntryView[fingerprints.Length];
        for (var i = 0; i < views.Length; i++) views[i] = index.Resolve(fingerprints[i]);
        return views;
    }

    public static IEnumerable<IndexEntryView[]> Pages(this ShardIndex index, int pageSize) =>
        index.Fingerprints().Chunk(pageSize).Select(page => index.Resolve(page));

    public static ShardStats Stats(this ShardIndex index, int shard, string silo) => index.Counts().ToStats(shard, silo);

    public static ShardStats ToStats(this ShardCounts counts, int shard, string silo) =>
        new(shard, counts.Chunks, counts.Aliases, counts.ChunkBytes, counts.MetadataBytes, silo);

    public static PackUsage[] PackUsage(this ShardIndex index) =>
        index.LiveBytesByPack.Select(p => new PackUsage(p.Key, p.Value)).ToArray();

    public static void Relocate(this ShardIndex index, ChunkMove[] moves)
    {
        foreach (var move in moves) index.Relocate(move.Fingerprint, move.From, move.To);
    }

    public static IndexEntryView Resolve(this ShardIndex index, in Fingerprint fp) => index.TryGet(fp, out var e)
        ? new IndexEntryView(fp, true, e.Location, e.Pieces)
        : new IndexEntryView(fp, false, default, null);
}
