using System.Security.Cryptography;
using System.Text.Json;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Grains.Placement;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Recipes;
using Microsoft.Extensions.Options;
using OrleansDedup.Storage;
using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>
/// A host of the simulated data centre, on the silo that models it (<see cref="HostPlacementAttribute"/>). Its chunk cache
/// is a chunk store of its own in <c>{data}/hosts/{host}/packs</c>, indexed in memory by fingerprint; the index is rebuilt
/// on activation by scanning the packs (every record carries its fingerprint, and a torn tail is skipped), so the cache
/// survives restarts without a journal of its own. Recipes of the images it holds are kept in <c>{host}/recipes/</c>.
/// </summary>
/// <remarks>The cache holds whatever the recipes name: 4 KiB blocks for fixed, content-defined chunks for Rabin, and the
/// block (alias) fingerprints for adaptive, each with the assembled bytes of that block. So a host restores from its
/// own recipes and cache only, with no alias resolution and no access to the grid's index.</remarks>
[HostPlacement]
public sealed class HostGrain(StoreLayout layout, ILocalSiloDetails silo, IOptions<DedupOptions> options) : Grain, IHostGrain
{
    private readonly Dictionary<Fingerprint, ChunkLocation> _cache = new();
    private ChunkStore _store = null!;
    private string _directory = "";
    private RecipeRuns _runs = null!;
    private HostCapacity? _capacity;
    private long _chunkBytes;

    private string Name => this.GetPrimaryKeyString();

    private string CapacityFile => Path.Combine(_directory, "host.json");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _directory = Path.Combine(layout.Root, "hosts", SafeName(Name));
        Directory.CreateDirectory(_directory);
        _store = HostStores.For(_directory, options.Value.Packs);
        _runs = new RecipeRuns(Path.Combine(_directory, "recipe-runs"));
        foreach (var pack in _store.ListPacks())
        {
            if (_store.IsOpenForWriting(pack.Id)) continue;
            foreach (var record in PackScanner.Scan(_store.PackPath(pack.Id)))
                if (_cache.TryAdd(record.Fingerprint, record.Location)) _chunkBytes += record.Location.Length;
        }
        if (File.Exists(CapacityFile)) _capacity = JsonSerializer.Deserialize<HostCapacity>(File.ReadAllText(CapacityFile));
        return Task.CompletedTask;
    }

    public Task Configure(HostCapacity capacity)
    {
        if (capacity.Cores < 1 || capacity.MipsPerCore <= 0 || capacity.RamBytes <= 0 || capacity.BandwidthBytesPerSecond <= 0)
            throw new ArgumentException("A host needs positive MIPS, cores, RAM and bandwidth.");
        _capacity = capacity;
        var temporary = CapacityFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(capacity));
        File.Move(temporary, CapacityFile, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<HostCapacity?> GetCapacity() => Task.FromResult(_capacity);

    public Task<string> GetSilo() => Task.FromResult(silo.Name);

    public Task<Fingerprint[]> Missing(Fingerprint[] fingerprints) =>
        Task.FromResult(fingerprints.Where(f => !_cache.ContainsKey(f)).Distinct().ToArray());

    public Task<long> Store(ChunkBatch batch)
    {
        var n = batch.Fingerprints.Length;
        if (batch.Offsets.Length != n + 1 || batch.Offsets[0] != 0 || (!batch.Compressed && batch.Offsets[n] != batch.Data.Length))
            throw new ArgumentException("the chunk batch's offsets do not match its data");
        var raw = batch.Data;
        if (batch.Compressed)
        {
            raw = new byte[batch.Offsets[n]];
            if (!FrameDecompressor.TryDecompress(batch.Data, raw, out var error)) throw new InvalidDataException($"the chunk batch {error}; nothing was stored");
        }
        var bad = -1;
        Parallel.For(0, n, i =>
        {
            if (Fingerprint.Compute(raw.AsSpan(batch.Offsets[i], batch.Offsets[i + 1] - batch.Offsets[i])) != batch.Fingerprints[i]) bad = i;
        });
        if (bad >= 0) throw new InvalidDataException($"chunk {batch.Fingerprints[bad]} does not match its bytes; nothing was stored");
        var added = new Dictionary<Fingerprint, int>();
        long written = 0;
        using (var writer = _store.CreateWriter())
        {
            for (var i = 0; i < n; i++)
            {
                var fp = batch.Fingerprints[i];
                if (_cache.ContainsKey(fp) || added.ContainsKey(fp)) continue;
                var data = raw.AsSpan(batch.Offsets[i], batch.Offsets[i + 1] - batch.Offsets[i]);
                added[fp] = writer.Append(fp, data);
                written += data.Length;
            }
            writer.Flush();
            // Only durable chunks enter the index.
            foreach (var (fp, chunk) in added) _cache[fp] = writer.LocationOf(chunk);
        }
        _chunkBytes += written;
        return Task.FromResult(written);
    }

    public Task StoreRecipe(RecipeCopy recipe)
    {
        var folder = ImageFolder(recipe.Image);
        Directory.CreateDirectory(folder);
        foreach (var run in recipe.Runs)
            _runs.Add(RecipeRuns.Id(run.Bytes) == run.Id ? run.Id : throw new InvalidDataException($"recipe run {run.Id} arrived damaged"), run.Bytes);
        if (recipe.Runs.Length > 0) _runs.Sync();
        DurableFile.Write(Path.Combine(folder, $"segment-{recipe.Segment:D5}.recipe"), recipe.Recipe);
        File.WriteAllText(Path.Combine(folder, "image.json"),
            JsonSerializer.Serialize(new HeldImage(recipe.Image, recipe.ImageSize, recipe.ImageDigest, recipe.SegmentCount)));
        return Task.CompletedTask;
    }

    public Task<bool> HoldsImage(string image) => Task.FromResult(Held(image) is { } held
        && Enumerable.Range(0, held.Segments).All(s => File.Exists(SegmentPath(image, s))));

    public Task<long> RestoreImage(string image, string outputPath)
    {
        var held = Held(image) ?? throw new InvalidOperationException($"host {Name} holds no image '{image}'");
        var partial = outputPath + ".partial";
        try
        {
            using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            using var packs = new PackReader(_store);
            using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                for (var s = 0; s < held.Segments; s++)
                {
                    using var reader = new RecipeReader(SegmentPath(image, s), _runs);
                    var position = reader.Offset;
                    while (reader.TryRead(out var entry))
                    {
                        if (!entry.IsZero)
                        {
                            if (!_cache.TryGetValue(entry.Fingerprint, out var location))
                                throw new InvalidDataException($"host {Name} lacks chunk {entry.Fingerprint} of '{image}'");
                            if (location.Length != entry.Length) throw new InvalidDataException($"chunk {entry.Fingerprint} has the wrong length");
                            if (buffer.Length < location.Length) buffer = new byte[location.Length];
                            var data = buffer.AsSpan(0, location.Length);
                            packs.Read(location, data);
                            if (Fingerprint.Compute(data) != entry.Fingerprint) throw new InvalidDataException($"chunk {entry.Fingerprint} is damaged in host {Name}'s cache");
                            output.Position = position;
                            output.Write(data);
                        }
                        position += entry.Length;
                    }
                    digest.AppendData(reader.Finish());
                }
                output.SetLength(held.Size);
                output.Flush(flushToDisk: true);
            }
            if (Convert.ToHexStringLower(digest.GetHashAndReset()) != held.Digest)
                throw new InvalidDataException($"the recipes host {Name} holds for '{image}' do not match the image digest");
            File.Move(partial, outputPath, overwrite: true);
            return Task.FromResult(held.Size);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    public Task<HostCacheStats> GetCacheStats()
    {
        var recipes = Path.Combine(_directory, "recipes");
        var images = Directory.Exists(recipes)
            ? Directory.EnumerateDirectories(recipes).Select(d => Held(Uri.UnescapeDataString(Path.GetFileName(d)))?.Name).OfType<string>().Order().ToArray()
            : [];
        return Task.FromResult(new HostCacheStats(Name, silo.Name, _cache.Count, _chunkBytes, images));
    }

    private string ImageFolder(string image) => Path.Combine(_directory, "recipes", SafeName(image));

    private string SegmentPath(string image, int segment) => Path.Combine(ImageFolder(image), $"segment-{segment:D5}.recipe");

    private HeldImage? Held(string image)
    {
        var file = Path.Combine(ImageFolder(image), "image.json");
        return File.Exists(file) ? JsonSerializer.Deserialize<HeldImage>(File.ReadAllText(file)) : null;
    }

    private static string SafeName(string name) => Uri.EscapeDataString(name);

    private sealed record HeldImage(string Name, long Size, string Digest, int Segments);
}

/// <summary>One chunk store per host directory per process: a host grain that re-activates (or moves between silos of one
/// test process) must not open a second store on the same directory.</summary>
internal static class HostStores
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ChunkStore> Stores = new();

    public static ChunkStore For(string directory, PackSettings settings) =>
        Stores.GetOrAdd(Path.GetFullPath(directory), d => new ChunkStore(d, settings));
}
