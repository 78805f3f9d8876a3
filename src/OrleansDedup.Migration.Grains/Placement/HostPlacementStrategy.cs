namespace OrleansDedup.Migration.Grains.Placement;

/// <summary>Places a host grain on the silo that models that host: the silo whose metadata key
/// <see cref="MetadataKey"/> lists the host's name (comma-separated; a silo may model several hosts). Where no silo claims
/// the host, a stable hash of its name over the compatible silos picks one, so a host still has a single home.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class HostPlacementStrategy : PlacementStrategy
{
    public const string MetadataKey = "orleans-dedup.hosts";

    public static HostPlacementStrategy Instance { get; } = new();
}
