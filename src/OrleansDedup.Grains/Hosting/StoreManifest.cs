using System.Text.Json;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Grains.Hosting;

/// <summary>The settings a store was created with; later runs must use the same, or fingerprints land in the wrong shard
/// and chunk boundaries stop matching. Compression and frame size are chosen when the store is made, too, and the
/// fingerprint algorithm is recorded (manifests written before it was recorded are SHA-256 stores).</summary>
public sealed record StoreManifest(int Version, int ShardCount, int RabinMinSize, int RabinAverageSize, int RabinMaxSize, int RabinWindowSize,
    string? Compression = null, int FrameSize = 0, string? Fingerprint = null)
{
    /// <summary>3: recipes split into shared runs, index journals without reference counts. 2: packs of compressed
    /// frames. 1: one uncompressed record per chunk. Stores of earlier versions are refused.</summary>
    public const int CurrentVersion = 3;

    public static StoreManifest From(DedupOptions o) =>
        new(CurrentVersion, o.ShardCount, o.RabinMinSize, o.RabinAverageSize, o.RabinMaxSize, o.RabinWindowSize,
            (o.Compression ?? CompressionSettings.Default).ToString(), o.FrameSize, Chunking.Fingerprint.Algorithm);

    /// <summary>Creates the manifest of a new store, or adopts an existing store's settings into the options.</summary>
    /// <exception cref="StoreFormatException">The store is of another version, or asked for another compression.</exception>
    public static void Reconcile(StoreLayout layout, DedupOptions options)
    {
        Directory.CreateDirectory(layout.Root);
        // Silos starting together on a new store (several processes on one volume) agree through a file lock:
        // the first creates the manifest, the others adopt it.
        using var gate = FileLock.Acquire(layout.ManifestLock);
        if (!File.Exists(layout.Manifest))
        {
            DurableFile.Write(layout.Manifest, JsonSerializer.SerializeToUtf8Bytes(From(options), StoreManifestJson.Default.StoreManifest));
            options.Compression ??= CompressionSettings.Default;
            return;
        }
        Adopt(layout, options);
    }

    /// <summary>Adopts an existing store's settings into the options without creating anything.</summary>
    /// <returns>False when the directory holds no store yet.</returns>
    /// <exception cref="StoreFormatException">The store is of another version, or asked for another compression.</exception>
    public static bool TryAdopt(StoreLayout layout, DedupOptions options)
    {
        if (!File.Exists(layout.Manifest)) return false;
        Adopt(layout, options);
        return true;
    }

    private static void Adopt(StoreLayout layout, DedupOptions options)
    {
        var stored = Read(layout.Manifest);
        var compression = CompressionSettings.Parse(stored.Compression!);
        if (options.Compression is { } asked && asked != compression)
            throw new StoreFormatException($"the store {layout.Root} was made with compression {compression}; it cannot change to {asked}");
        options.ShardCount = stored.ShardCount;
        options.RabinMinSize = stored.RabinMinSize;
        options.RabinAverageSize = stored.RabinAverageSize;
        options.RabinMaxSize = stored.RabinMaxSize;
        options.RabinWindowSize = stored.RabinWindowSize;
        options.Compression = compression;
        options.FrameSize = stored.FrameSize;
    }

    private static StoreManifest Read(string path)
    {
        StoreManifest? stored;
        try
        {
            stored = JsonSerializer.Deserialize(File.ReadAllText(path), StoreManifestJson.Default.StoreManifest);
        }
        catch (JsonException)
        {
            stored = null;
        }
        if (stored is { Version: < CurrentVersion })
        {
            throw new StoreFormatException(
                $"{path} is a version {stored.Version} store of an earlier OrleansDedup, which this build does not read; restore its images with that build and ingest them into a new store");
        }

        if (stored is null || stored.Version != CurrentVersion || stored.Compression is null || stored.FrameSize <= 0)
            throw new StoreFormatException($"{path} is not a store manifest this version understands");
        if (stored.Fingerprint is { } algorithm && algorithm != Chunking.Fingerprint.Algorithm)
            throw new StoreFormatException($"{path}: the store's chunks are fingerprinted with {algorithm}, which this build does not compute");
        try
        {
            CompressionSettings.Parse(stored.Compression);
        }
        catch (FormatException e)
        {
            throw new StoreFormatException($"{path}: {e.Message}");
        }
        return stored;
    }
}
