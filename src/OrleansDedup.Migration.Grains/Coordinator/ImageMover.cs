using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.Packs;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>
/// Moves images into one destination host's cache. It walks an image's recipes in batches; per batch it asks the
/// destination which fingerprints it lacks (one call per batch, never per chunk), has a <see cref="ChunkSender"/> send
/// only those, and finally hands over the recipes unless the destination holds the image already. Zero runs cross only as
/// recipe markers. A fingerprint this mover sent earlier is not asked for again (<see cref="MovementTally"/>).
/// </summary>
/// <remarks>Metadata counts the recipe files sent and the fingerprints of the set-difference queries.</remarks>
internal sealed class ImageMover(IGrainFactory grains, ChunkStore store, IndexRouter index, StoreLayout layout, IHostGrain destination)
{
    /// <summary>Recipe entries per set-difference query.</summary>
    public const int BatchEntries = 2048;

    private readonly HashSet<Fingerprint> _moved = [];

    public async Task<DataMovement> MoveAll(IEnumerable<string> images)
    {
        var total = DataMovement.Empty;
        foreach (var image in images.Distinct()) total += await Move(image);
        return total;
    }

    /// <summary>Moves what the destination lacks of one image into its cache; returns what moved and what did not.</summary>
    public async Task<DataMovement> Move(string image)
    {
        var manifest = await grains.GetGrain<IImageGrain>(image).GetManifest()
            ?? throw new IngestException(IngestErrorKind.BadInput, $"there is no image named '{image}'; see `list`");
        var held = await destination.HoldsImage(image);
        var tally = new MovementTally(_moved);
        using var assembler = new ChunkAssembler(store, index.Resolve);
        var sender = new ChunkSender(store.Settings.Compression, assembler, destination);
        var batch = new List<RecipeEntry>(BatchEntries);
        for (var segment = 0; segment < manifest.SegmentRecipes.Length; segment++)
        {
            var path = layout.RecipeOf(manifest.SegmentRecipes[segment]);
            using (var reader = new RecipeReader(path, layout.Runs))
            {
                while (reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                    if (batch.Count >= BatchEntries) await Flush(batch, tally, sender);
                }
                await Flush(batch, tally, sender);
                reader.Finish();
            }
            if (held) continue;
            var recipe = await File.ReadAllBytesAsync(path);
            var runs = RecipeReader.RunIds(path, layout.Runs).Distinct().Select(id => new RecipeRunCopy(id, layout.Runs.Read(id, path))).ToArray();
            tally.Metadata += recipe.Length + runs.Sum(r => (long)r.Bytes.Length);
            await destination.StoreRecipe(new RecipeCopy(image, segment, manifest.SegmentRecipes.Length, manifest.Image.Size, manifest.Image.Digest, recipe, runs));
        }
        return tally.Movement(manifest.Image.Size);
    }

    /// <summary>Asks the destination about the batch's unknown fingerprints, tallies the batch and sends what it lacks.</summary>
    private async Task Flush(List<RecipeEntry> batch, MovementTally tally, ChunkSender sender)
    {
        var ask = tally.Unknown(batch);
        var missing = ask.Length == 0 ? [] : await destination.Missing(ask);
        tally.Asked(ask.Length, missing.Length);
        var send = tally.Count(batch, missing.ToHashSet());
        batch.Clear();
        if (send.Count > 0) tally.WireBytes += await sender.Send(send);
    }
}
