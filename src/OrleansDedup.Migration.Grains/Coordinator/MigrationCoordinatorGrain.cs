using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.Packs;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>
/// Migrates a VM from one host to another. For each disk image (unless storage is shared) and the optional memory
/// snapshot it walks the image's recipes in batches; per batch it asks the destination which fingerprints it lacks (one
/// call per batch, never per chunk), reads only those chunks from the grid's store (aliases assembled), writes them into
/// the destination's cache in pieces of a few MiB, and finally hands over the recipes. Zero runs cross only as recipe
/// markers. The measured byte counts then drive the time model
/// (<see cref="OrleansDedup.Migration.MigrationModel"/>) for time, downtime, rounds and energy.
/// </summary>
/// <remarks>
/// Metadata counts the recipe files sent and the fingerprints of the set-difference queries (32 bytes each way). A
/// fingerprint seen earlier in the same migration is not asked for again: its repeats count as deduplicated. Memory:
/// with a snapshot, the first pre-copy pass uses the snapshot's measured zero and duplicate shares, and re-dirtied pages
/// hit at <see cref="VmMigrationRequest.RedirtiedHitRate"/>; without one, memory is not deduplicated. Pricing, alone or
/// with the migrations of a wave that share its links, is <see cref="MigrationPricing"/>'s.
/// </remarks>
public sealed class MigrationCoordinatorGrain(ChunkStore store, IndexRouter index, StoreLayout layout, DedupMetrics metrics)
    : Grain, IMigrationCoordinatorGrain
{
    /// <summary>Recipe entries per set-difference query.</summary>
    public const int BatchEntries = 2048;

    private const int PieceBytes = 4 << 20;

    public async Task<VmMigrationReport> Migrate(VmMigrationRequest request) =>
        MigrationPricing.Price([(request, await Transfer(request))], metrics)[0];

    public async Task<MigrationTransfer> Transfer(VmMigrationRequest request)
    {
        MigrationPricing.Validate(request);
        var source = GrainFactory.GetGrain<IHostGrain>(request.Source);
        var destination = GrainFactory.GetGrain<IHostGrain>(request.Destination);
        var from = await source.GetCapacity() ?? throw new ArgumentException($"host '{request.Source}' is not configured");
        var to = await destination.GetCapacity() ?? throw new ArgumentException($"host '{request.Destination}' is not configured");
        var moved = new HashSet<Fingerprint>();
        var disk = request.SharedStorage ? DataMovement.Empty : await MoveAll(request.Disks, destination, moved);
        var memory = request.MemorySnapshot is { } snapshot ? await Move(snapshot, destination, moved) : DataMovement.Empty;
        return new MigrationTransfer(from, to, disk, memory);
    }

    public Task<DataMovement> Seed(HostSeed seed) => MoveAll(seed.Images, GrainFactory.GetGrain<IHostGrain>(seed.Host), []);

    private async Task<DataMovement> MoveAll(IEnumerable<string> images, IHostGrain destination, HashSet<Fingerprint> moved)
    {
        var total = DataMovement.Empty;
        foreach (var image in images.Distinct()) total += await Move(image, destination, moved);
        return total;
    }

    /// <summary>Moves what the destination lacks of one image into its cache; returns what moved and what did not.</summary>
    private async Task<DataMovement> Move(string image, IHostGrain destination, HashSet<Fingerprint> moved)
    {
        var manifest = await GrainFactory.GetGrain<IImageGrain>(image).GetManifest()
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        var held = await destination.HoldsImage(image);
        var present = new HashSet<Fingerprint>();
        using var assembler = new ChunkAssembler(store, index.Resolve);
        long zero = 0, dedup = 0, already = 0, chunkBytes = 0, chunks = 0, metadata = 0, wire = 0;
        var batches = 0;
        var batch = new List<RecipeEntry>(BatchEntries);

        async Task Flush()
        {
            var ask = batch.Where(e => !e.IsZero && !moved.Contains(e.Fingerprint) && !present.Contains(e.Fingerprint))
                .Select(e => e.Fingerprint).Distinct().ToArray();
            var missing = ask.Length == 0 ? [] : await destination.Missing(ask);
            if (ask.Length > 0) batches++;
            metadata += (ask.Length + missing.Length) * (long)Fingerprint.Size;
            var lacking = missing.ToHashSet();
            var send = new List<(Fingerprint Fingerprint, int Length)>();
            foreach (var e in batch)
            {
                if (e.IsZero)
                {
                    zero += e.Length;
                }
                else if (moved.Contains(e.Fingerprint))
                {
                    dedup += e.Length;
                }
                else if (present.Contains(e.Fingerprint))
                {
                    already += e.Length;
                }
                else if (lacking.Contains(e.Fingerprint))
                {
                    moved.Add(e.Fingerprint);
                    send.Add((e.Fingerprint, e.Length));
                    chunkBytes += e.Length;
                    chunks++;
                }
                else
                {
                    present.Add(e.Fingerprint);
                    already += e.Length;
                }
            }
            batch.Clear();
            if (send.Count > 0) wire += await Send(send, assembler, destination);
        }

        for (var segment = 0; segment < manifest.SegmentRecipes.Length; segment++)
        {
            var path = layout.RecipeOf(manifest.SegmentRecipes[segment]);
            using (var reader = new RecipeReader(path, layout.Runs))
            {
                while (reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                    if (batch.Count >= BatchEntries) await Flush();
                }
                await Flush();
                reader.Finish();
            }
            if (held) continue;
            var recipe = await File.ReadAllBytesAsync(path);
            var runs = RecipeReader.RunIds(path, layout.Runs).Distinct().Select(id => new RecipeRunCopy(id, layout.Runs.Read(id, path))).ToArray();
            metadata += recipe.Length + runs.Sum(r => (long)r.Bytes.Length);
            await destination.StoreRecipe(new RecipeCopy(image, segment, manifest.SegmentRecipes.Length, manifest.Image.Size, manifest.Image.Digest, recipe, runs));
        }
        return new DataMovement(manifest.Image.Size, chunkBytes, chunks, metadata, zero, dedup, already, batches, wire);
    }

    /// <summary>Reads the chunks from the grid's store and writes them into the destination's cache, a few MiB per call,
    /// compressed as the store compresses; returns the bytes that crossed the wire.</summary>
    private async Task<long> Send(List<(Fingerprint Fingerprint, int Length)> chunks, ChunkAssembler assembler, IHostGrain destination)
    {
        var compression = store.Settings.Compression;
        var compressor = FrameCompressorPool.Rent(compression);
        try
        {
            long wire = 0;
            var views = await assembler.Load(chunks.Select(c => c.Fingerprint).ToArray());
            var at = 0;
            while (at < chunks.Count)
            {
                var size = 0;
                var end = at;
                while (end < chunks.Count && (end == at || size + chunks[end].Length <= PieceBytes)) size += chunks[end++].Length;
                var data = new byte[size];
                var offsets = new int[end - at + 1];
                for (var i = at; i < end; i++)
                {
                    var n = assembler.CopyTo(views[chunks[i].Fingerprint], data.AsSpan(offsets[i - at]));
                    if (n != chunks[i].Length) throw new InvalidDataException($"chunk {chunks[i].Fingerprint} has {n} bytes, the recipe says {chunks[i].Length}");
                    offsets[i - at + 1] = offsets[i - at] + n;
                }
                var packed = new byte[FrameCompressor.Bound(data.Length)];
                var (codec, length) = compressor.Compress(data, packed);
                var payload = codec == FrameCodec.Zstd ? packed[..length] : data;
                wire += payload.Length;
                await destination.Store(new ChunkBatch(chunks.Skip(at).Take(end - at).Select(c => c.Fingerprint).ToArray(), offsets, payload,
                    Compressed: codec == FrameCodec.Zstd));
                at = end;
            }
            return wire;
        }
        finally
        {
            FrameCompressorPool.Return(compression, compressor);
        }
    }
}
