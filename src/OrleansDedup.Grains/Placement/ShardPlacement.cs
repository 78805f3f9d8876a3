using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Placement;

/// <summary>
/// Places index shard k where a balanced assignment of all shards over the compatible silos puts it: shards in
/// order take their highest-scoring silo (rendezvous hashing) among those not yet holding their even share. Every
/// silo computes the same assignment; the spread is even from the first activation on; and because the scores
/// depend on the silos themselves, the shards of a silo that left spread over the rest, the newest included.
/// Load-based placement cannot do this: the shards all activate within moments, while the silos' statistics are
/// still empty, and they stay where they land for the life of their silo.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ShardPlacementStrategy : PlacementStrategy
{
    public static ShardPlacementStrategy Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(ShardPlacementStrategy.Instance);

public sealed class ShardPlacementDirector(IOptions<DedupOptions> options) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context) =>
        Task.FromResult(Home(target.GrainIdentity.GetIntegerKey(), options.Value.ShardCount, context.GetCompatibleSilos(target)));

    public static SiloAddress Home(long shard, int shardCount, IReadOnlyCollection<SiloAddress> silos)
    {
        if (silos.Count == 0) throw new OrleansException($"no silo can host shard {shard}");
        var ordered = silos.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        var names = ordered.Select(s => s.ToString()).ToArray();
        var share = (shardCount + ordered.Length - 1) / ordered.Length;
        var held = new int[ordered.Length];
        for (var k = 0; k < shardCount; k++)
        {
            var (best, bestScore) = (-1, 0ul);
            for (var i = 0; i < ordered.Length; i++)
            {
                if (held[i] >= share) continue;
                var score = Score(k, names[i]);
                if (best < 0 || score > bestScore) (best, bestScore) = (i, score);
            }
            if (k == shard) return ordered[best];
            held[best]++;
        }
        return ordered.MaxBy(s => Score(shard, s.ToString()))!;
    }

    /// <summary>FNV-1a over "shard@silo", finished with a 64-bit mix: the same on every silo and in every run.</summary>
    private static ulong Score(long shard, string silo)
    {
        Span<char> digits = stackalloc char[20];
        shard.TryFormat(digits, out var length, provider: System.Globalization.CultureInfo.InvariantCulture);
        var hash = 14695981039346656037ul;
        foreach (var c in digits[..length]) hash = (hash ^ c) * 1099511628211ul;
        hash = (hash ^ '@') * 1099511628211ul;
        foreach (var c in silo) hash = (hash ^ c) * 1099511628211ul;
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdul;
        hash ^= hash >> 33;
        return hash;
    }
}
