using Orleans.Placement;

namespace OrleansDedup.Migration.Grains.Placement;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class HostPlacementAttribute() : PlacementAttribute(HostPlacementStrategy.Instance);
