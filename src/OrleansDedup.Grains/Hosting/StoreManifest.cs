using System.Text.Json;

namespace OrleansDedup.Grains.Hosting;

/// <summary>The settings a store was created with; later runs must use the same, or fingerprints land in the wrong shard
/// and chunk boundaries stop matching.</summary>
public sealed record StoreManifest(int Version, int ShardCount, int RabinMinSize, int RabinAverageSize, int RabinMaxSize, int RabinWindowSize)
{
    public const int CurrentVersion = 1;

    public static StoreManifest From(DedupOptions o) =>
        new(CurrentVersion, o.ShardCount, o.RabinMinSize, o.RabinAverageSize, o.RabinMaxSize, o.RabinWindowSize);

    /// <summary>Creates the manifest of a new store, or adopts an existing store's settings into the options.</summary>
    public static void Reconcile(StoreLayout layout, DedupOptions options)
    {
        Directory.CreateDirectory(layout.Root);
        // Silos starting together on a new store (several processes on one volume) agree through a file lock:
        // the first creates the manifest, the others adopt it.
        using var gate = FileLock.Acquire(layout.Manifest + ".lock");
        if (!File.Exists(layout.Manifest))
        {
            var tmp = layout.Manifest + ".tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(From(options)));
            File.Move(tmp, layout.Manifest, overwrite: true);
            return;
        }
        StoreManifest? stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoreManifest>(File.ReadAllText(layout.Manifest));
        }
        catch (JsonException)
        {
            stored = null;
        }
        if (stored is null || stored.Version != CurrentVersion)
            throw new InvalidDataException($"{layout.Manifest} is not a store manifest this version understands.");
        options.ShardCount = stored.ShardCount;
        options.RabinMinSize = stored.RabinMinSize;
        options.RabinAverageSize = stored.RabinAverageSize;
        options.RabinMaxSize = stored.RabinMaxSize;
        options.RabinWindowSize = stored.RabinWindowSize;
    }
}
