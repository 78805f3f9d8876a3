namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>The outcome of a migration: the time model's figures and the bytes that really moved.</summary>
[GenerateSerializer, Immutable]
public sealed record VmMigrationReport(
    [property: Id(0)] string Vm,
    [property: Id(1)] string Source,
    [property: Id(2)] string Destination,
    [property: Id(3)] double TotalSeconds,
    [property: Id(4)] double DowntimeSeconds,
    [property: Id(5)] int Rounds,
    [property: Id(6)] bool Converged,
    [property: Id(7)] string StopReason,
    [property: Id(8)] double BandwidthBytesPerSecond,
    [property: Id(9)] double BytesSent,
    [property: Id(10)] double MemoryBytes,
    [property: Id(11)] double DiskBytes,
    [property: Id(12)] double MetadataBytes,
    [property: Id(13)] double SavedZeroBytes,
    [property: Id(14)] double SavedDedupBytes,
    [property: Id(15)] double SavedPresentBytes,
    [property: Id(16)] double EnergyJoules,
    [property: Id(17)] DataMovement Disk,
    [property: Id(18)] DataMovement Memory,
    [property: Id(19)] double StallSeconds = 0);
