namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>Images of a VM that starts on <see cref="Host"/>: disks, and a memory snapshot if it has one.</summary>
[GenerateSerializer, Immutable]
public sealed record HostSeed(
    [property: Id(0)] string Host,
    [property: Id(1)] string[] Images);
