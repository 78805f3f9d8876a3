namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>What a migration moved, before it is priced: both hosts' capacities and the bytes that really moved.</summary>
[GenerateSerializer, Immutable]
public sealed record MigrationTransfer(
    [property: Id(0)] HostCapacity Source,
    [property: Id(1)] HostCapacity Destination,
    [property: Id(2)] DataMovement Disk,
    [property: Id(3)] DataMovement Memory);
