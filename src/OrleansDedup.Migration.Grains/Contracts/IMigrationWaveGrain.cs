namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>Migrations that start together (a load balancer's step) and share the hosts' links max-min fairly: each
/// host has an uplink and a downlink of its bandwidth times the largest share of the wave's migrations that use it, and
/// each migration takes at most the slower of its two host links times its own share. Key: any (stateless).</summary>
public interface IMigrationWaveGrain : IGrainWithIntegerKey
{
    /// <summary>Reports in the order of <paramref name="requests"/>; a VM may appear once. Migrations to the same
    /// destination move their data in request order, so what the later ones find present is deterministic.</summary>
    Task<VmMigrationReport[]> Migrate(VmMigrationRequest[] requests);
}
