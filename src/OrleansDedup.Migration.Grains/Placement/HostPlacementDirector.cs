using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace OrleansDedup.Migration.Grains.Placement;

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
        {
            foreach (var silo in silos)
                if (Claims(metadata.GetSiloMetadata(silo), host)) return Task.FromResult(silo);
        }

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
