using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>Where a host keeps its cache, recipes and capacity: <c>{data}/hosts/{host}/</c>. Names are escaped so that any
/// host or image name is a single path segment.</summary>
internal static class HostDirectory
{
    public static string Of(StoreLayout store, string host) => Path.Combine(store.Root, "hosts", SafeName(host));

    public static string SafeName(string name) => Uri.EscapeDataString(name);
}
