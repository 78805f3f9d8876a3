namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>A physical host's capacity: CPU (MIPS per core, cores), RAM and link bandwidth (bytes per second).</summary>
[GenerateSerializer, Immutable]
public sealed record HostCapacity(
    [property: Id(0)] double MipsPerCore,
    [property: Id(1)] int Cores,
    [property: Id(2)] long RamBytes,
    [property: Id(3)] double BandwidthBytesPerSecond);
