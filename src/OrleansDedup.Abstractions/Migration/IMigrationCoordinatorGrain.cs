namespace OrleansDedup.Abstractions.Migration;

public enum DirtyModelKind { None, Constant, WritableWorkingSet }

/// <summary>The guest's dirty-page model: a constant rate, or a writable working set rewritten at <see cref="Rate"/> plus
/// the rest of memory at <see cref="ColdRate"/> (bytes per second).</summary>
[GenerateSerializer, Immutable]
public sealed record DirtyModelSpec(
    [property: Id(0)] DirtyModelKind Kind,
    [property: Id(1)] double Rate = 0,
    [property: Id(2)] long WorkingSetBytes = 0,
    [property: Id(3)] double ColdRate = 0)
{
    public static DirtyModelSpec None { get; } = new(DirtyModelKind.None);
}

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

/// <summary>Bytes that really moved for one class (disk or memory snapshot), and what did not have to.</summary>
/// <param name="ChunkBytes">Chunk payload written into the destination's cache.</param>
/// <param name="Chunks">Chunks written into the destination's cache.</param>
/// <param name="MetadataBytes">Recipes plus the fingerprints of the set-difference queries.</param>
/// <param name="ZeroBytes">Zero runs: sent as recipe markers only.</param>
/// <param name="DedupBytes">Repeats within this migration: sent once.</param>
/// <param name="PresentBytes">Chunks the destination held already.</param>
/// <param name="WireChunkBytes">What the moved chunks cost on the wire: <paramref name="ChunkBytes"/> compressed.</param>
[GenerateSerializer, Immutable]
public sealed record DataMovement(
    [property: Id(0)] long LogicalBytes,
    [property: Id(1)] long ChunkBytes,
    [property: Id(2)] long Chunks,
    [property: Id(3)] long MetadataBytes,
    [property: Id(4)] long ZeroBytes,
    [property: Id(5)] long DedupBytes,
    [property: Id(6)] long PresentBytes,
    [property: Id(7)] int Batches,
    [property: Id(8)] long WireChunkBytes = 0)
{
    public static DataMovement Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static DataMovement operator +(DataMovement a, DataMovement b) => new(a.LogicalBytes + b.LogicalBytes, a.ChunkBytes + b.ChunkBytes,
        a.Chunks + b.Chunks, a.MetadataBytes + b.MetadataBytes, a.ZeroBytes + b.ZeroBytes, a.DedupBytes + b.DedupBytes,
        a.PresentBytes + b.PresentBytes, a.Batches + b.Batches, a.WireChunkBytes + b.WireChunkBytes);
}

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

/// <summary>What a migration moved, before it is priced: both hosts' capacities and the bytes that really moved.</summary>
[GenerateSerializer, Immutable]
public sealed record MigrationTransfer(
    [property: Id(0)] HostCapacity Source,
    [property: Id(1)] HostCapacity Destination,
    [property: Id(2)] DataMovement Disk,
    [property: Id(3)] DataMovement Memory);

/// <summary>Images of a VM that starts on <see cref="Host"/>: disks, and a memory snapshot if it has one.</summary>
[GenerateSerializer, Immutable]
public sealed record HostSeed(
    [property: Id(0)] string Host,
    [property: Id(1)] string[] Images);

/// <summary>Migrates VMs between hosts (key: the VM's name, so that one VM migrates at a time). The grid decides what
/// crosses the wire: only chunks the destination lacks, found by a batched set difference against its cache.</summary>
public interface IMigrationCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Migrates the VM alone on its links: its rate is the slower host link times its bandwidth share.</summary>
    Task<VmMigrationReport> Migrate(VmMigrationRequest request);

    /// <summary>Moves what the destination lacks into its cache and returns what moved, unpriced; a
    /// <see cref="IMigrationWaveGrain"/> prices it together with the migrations that share its links.</summary>
    Task<MigrationTransfer> Transfer(VmMigrationRequest request);

    /// <summary>Leaves the images in the host's cache as a completed migration to it would (what it lacks moves in, with the
    /// recipes), for a VM that starts on that host; returns what moved, unpriced: no source host, no time.</summary>
    Task<DataMovement> Seed(HostSeed seed);
}

/// <summary>Migrations that start together (a load balancer's step) and share the hosts' links max-min fairly: each
/// host has an uplink and a downlink of its bandwidth times the largest share of the wave's migrations that use it, and
/// each migration takes at most the slower of its two host links times its own share. Key: any (stateless).</summary>
public interface IMigrationWaveGrain : IGrainWithIntegerKey
{
    /// <summary>Reports in the order of <paramref name="requests"/>; a VM may appear once. Migrations to the same
    /// destination move their data in request order, so what the later ones find present is deterministic.</summary>
    Task<VmMigrationReport[]> Migrate(VmMigrationRequest[] requests);
}
