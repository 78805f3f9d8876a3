namespace OrleansDedup.Migration.Grains.Contracts;

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
