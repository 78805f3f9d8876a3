using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansDedup.Grains.Placement;

/// <summary>
/// Places an integer-keyed grain on the silo its key picks among the compatible silos in address order: shard k of n
/// silos goes to silo k mod n, so shards spread evenly from the first activation on, and the shards of a silo that
/// left spread evenly over the rest. Load-based placement cannot do this for the index shards: they all activate
/// within moments, while the silos' statistics are still empty, and they stay where they land for the life of their
/// silo, so placement is the only time they are spread.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ShardPlacementStrategy : PlacementStrategy
{
    public static ShardPlacementStrategy Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(ShardPlacementStrategy.Instance);

public sealed class ShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context) =>
        Task.FromResult(Home(target.GrainIdentity.GetIntegerKey(), context.GetCompatibleSilos(target)));

    public static SiloAddress Home(long key, IReadOnlyCollection<SiloAddress> silos)
    {
        if (silos.Count == 0) throw new OrleansException($"no silo can host shard {key}");
        var ordered = silos.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        return ordered[(int)((ulong)key % (ulong)ordered.Length)];
    }
}
