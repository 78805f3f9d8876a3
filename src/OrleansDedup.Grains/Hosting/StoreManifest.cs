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
        if (!File.Exists(layout.Manifest))
        {
            // Silos starting together on a new store race to create it: the first rename wins, the others adopt it.
            var tmp = $"{layout.Manifest}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(From(options)));
            try
            {
                File.Move(tmp, layout.Manifest, overwrite: false);
                return;
            }
            catch (IOException) when (File.Exists(layout.Manifest))
            {
                File.Delete(tmp);
            }
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
