using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace OrleansDedup.Grains.Migration;

/// <summary>Places a host grain on the silo that models that host: the silo whose metadata key
/// <see cref="MetadataKey"/> lists the host's name (comma-separated; a silo may model several hosts). Where no silo claims
/// the host, a stable hash of its name over the compatible silos picks one, so a host still has a single home.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class HostPlacementStrategy : PlacementStrategy
{
    public const string MetadataKey = "orleans-dedup.hosts";

    public static HostPlacementStrategy Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class HostPlacementAttribute() : PlacementAttribute(HostPlacementStrategy.Instance);

/// <summary>Reads <see cref="ISiloMetadataCache"/> (filled by <c>UseSiloMetadata</c>) for the silo that claims the host.</summary>
public sealed class HostPlacementDirector(IServiceProvider services) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        if (silos.Length == 0) throw new OrleansException($"no silo can host {target.GrainIdentity}");
        var host = target.GrainIdentity.Key.ToString()!;
        var metadata = services.GetService<ISiloMetadataCache>();
        if (metadata is not null)
            foreach (var silo in silos)
                if (Claims(metadata.GetSiloMetadata(silo), host)) return Task.FromResult(silo);
        return Task.FromResult(silos[StableHash(host) % (uint)silos.Length]);
    }

    private static bool Claims(SiloMetadata metadata, string host) =>
        metadata.Metadata.TryGetValue(HostPlacementStrategy.MetadataKey, out var hosts)
        && hosts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(host, StringComparer.Ordinal);

    /// <summary>FNV-1a over the UTF-16 code units: the same on every silo and every run (string.GetHashCode is not).</summary>
    internal static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash;
    }
}

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
