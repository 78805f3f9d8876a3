using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansDedup.Migration.Grains.Placement;

namespace OrleansDedup.Migration.Grains;

public static class MigrationSiloBuilderExtensions
{
    /// <summary>Adds host placement for the migration grains. <paramref name="hosts"/> are the hosts this silo models
    /// (published as silo metadata); null reads the metadata from configuration (<c>Orleans:Metadata</c>, e.g.
    /// <c>Orleans__Metadata__orleans-dedup.hosts=host-1,host-2</c>). Call after <c>AddDedupGrid</c>.</summary>
    public static ISiloBuilder AddDedupMigration(this ISiloBuilder silo, IEnumerable<string>? hosts = null)
    {
        if (hosts is null) silo.UseSiloMetadata();
        else silo.UseSiloMetadata(new Dictionary<string, string> { [HostPlacementStrategy.MetadataKey] = string.Join(",", hosts) });
        silo.Services.AddPlacementDirector<HostPlacementStrategy, HostPlacementDirector>();
        return silo;
    }
}
