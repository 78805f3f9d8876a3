namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>A VM to migrate from <see cref="Source"/> to <see cref="Destination"/> (host names).</summary>
/// <param name="Disks">The VM's disks: image names in the catalog.</param>
/// <param name="MemorySnapshot">An ingested memory snapshot; its zero and shared pages then count for the first pass.</param>
/// <param name="SharedStorage">Disks on storage both hosts see: nothing of them moves.</param>
/// <param name="BandwidthShare">Share of the host links migrations may use (CloudSim: 0.5); concurrent migrations of a
/// wave divide it max-min fairly.</param>
/// <param name="RedirtiedHitRate">Share of re-dirtied pages the destination holds (pre-copy rounds after the first).</param>
[GenerateSerializer, Immutable]
public sealed record VmMigrationRequest(
    [property: Id(0)] string Vm,
    [property: Id(1)] string Source,
    [property: Id(2)] string Destination,
    [property: Id(3)] long RamBytes,
    [property: Id(4)] DirtyModelSpec Dirty,
    [property: Id(5)] string[] Disks,
    [property: Id(6)] string? MemorySnapshot = null,
    [property: Id(7)] bool SharedStorage = false,
    [property: Id(8)] bool PostCopy = false,
    [property: Id(9)] double BandwidthShare = 0.5,
    [property: Id(10)] double DowntimeLimitSeconds = 0.3,
    [property: Id(11)] double SetupSeconds = 0,
    [property: Id(12)] double ResumeSeconds = 0,
    [property: Id(13)] long DeviceStateBytes = 0,
    [property: Id(14)] double RedirtiedHitRate = 0,
    [property: Id(15)] double DiskWriteBytesPerSecond = 0);
