using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansDedup.Grains.Placement;

/// <summary>
/// Places a grain by its key alone, with rendezvous hashing over the compatible silos: every silo computes the same
/// home for a key, keys spread evenly from the first activation on, and when a silo leaves only its own keys move.
/// Load-based placement cannot do this for the index shards: they all activate within moments, while the silos'
/// statistics are still empty, and they stay where they land for the life of their silo.
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
        Task.FromResult(Home(target.GrainIdentity.Key.ToString()!, context.GetCompatibleSilos(target)));

    /// <summary>The silo with the highest score for the key.</summary>
    public static SiloAddress Home(string key, IReadOnlyCollection<SiloAddress> silos)
    {
        if (silos.Count == 0) throw new OrleansException($"no silo can host '{key}'");
        return silos.MaxBy(silo => StableHash.Of($"{key}@{silo}"))!;
    }
}
