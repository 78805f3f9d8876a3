namespace OrleansDedup.Abstractions.Maintenance;

/// <summary>One silo's share of the index: how many shards it holds and what they index.</summary>
public sealed record SiloShards(string Silo, int Shards, long Chunks, long Aliases, long ChunkBytes)
{
    /// <summary>The shards grouped by the silo that holds them, by silo name.</summary>
    public static SiloShards[] Of(IEnumerable<Index.ShardStats> shards) =>
        shards.GroupBy(s => s.Silo).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SiloShards(g.Key, g.Count(), g.Sum(s => s.Chunks), g.Sum(s => s.Aliases), g.Sum(s => s.ChunkBytes)))
            .ToArray();
}
