using OrleansDedup.Abstractions.Maintenance;

namespace OrleansDedup.Host.Api;

public sealed record StatsResponse(ImageResponse[] Images, OverallResponse Overall, int ShardCount, SiloShardsResponse[] Silos, ShardResponse[] Shards)
{
    public static StatsResponse From(StoreReport r) => new(
        r.Images.Select(ImageResponse.From).ToArray(),
        new OverallResponse(r.Images.Length, r.OriginalBytes, r.PackBytes, r.LiveChunkBytes, r.IndexBytes, r.RecipeBytes, r.StoredBytes,
            Math.Round(r.DedupRate, 4), r.Images.Sum(i => i.Stats.ZeroChunks), r.Images.Sum(i => i.Stats.DuplicateChunks),
            r.Images.Sum(i => i.Stats.NewChunks)),
        r.Shards.Length,
        SiloShards.Of(r.Shards).Select(s => new SiloShardsResponse(s.Silo, s.Shards, s.Chunks, s.Aliases, s.ChunkBytes)).ToArray(),
        r.Shards.OrderBy(s => s.Shard).Select(s => new ShardResponse(s.Shard, s.Silo, s.Chunks, s.Aliases, s.ChunkBytes, s.MetadataBytes)).ToArray());
}
