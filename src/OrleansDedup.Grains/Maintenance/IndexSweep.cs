using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Images;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Grains.Maintenance;

/// <summary>
/// Mark and sweep, the index's only liveness: what the committed recipes use, and the chunks that live aliases are
/// made of, stays; every other entry (a deleted image's, a failed or crashed ingest's) is removed, and so are the recipe
/// runs no committed recipe names and the recipe directories no image owns. It must not run beside a live ingest,
/// whose chunks no committed recipe names yet: it skips while one beats its heartbeat, and new ingests wait for it.
/// </summary>
internal sealed class IndexSweep(IGrainFactory grains, IndexRouter index, StoreLayout layout, TimeSpan heartbeatExpiry)
{
    private const int Page = 65536;

    public sealed record Outcome(bool Skipped, int Swept, int Abandoned);

    public async Task<Outcome> Run()
    {
        // Heartbeats first, the catalog after: an ingest that commits between the two is then in the catalog, where
        // the other order would take its directory for abandoned. No ingest starts meanwhile (the collector refuses).
        var directories = Directory.Exists(layout.Recipes) ? Directory.EnumerateDirectories(layout.Recipes).ToArray() : [];
        if (directories.Any(d => IngestHeartbeat.IsFresh(d, heartbeatExpiry))) return new Outcome(true, 0, 0);
        var committed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in await grains.GetGrain<ICatalogGrain>(0).List())
        {
            if (await grains.GetGrain<IImageGrain>(name).GetManifest() is { } manifest)
                committed.UnionWith(manifest.SegmentRecipes.Select(layout.RecipeOf));
        }

        var abandoned = new List<string>();
        foreach (var directory in directories)
        {
            var files = Directory.EnumerateFiles(directory, "*.recipe").ToArray();
            if (files.Any(committed.Contains)) abandoned.AddRange(files.Where(f => !committed.Contains(f)));
            else abandoned.Add(directory);
        }

        var live = new HashSet<Fingerprint>();
        foreach (var recipe in committed)
        {
            using var reader = new RecipeReader(recipe, layout.Runs);
            while (reader.TryRead(out var entry))
                if (!entry.IsZero) live.Add(entry.Fingerprint);
        }
        layout.Runs.Sweep(committed.SelectMany(r => RecipeReader.RunIds(r, layout.Runs)).ToHashSet());

        var entries = new List<IndexEntryView>();
        await foreach (var e in index.ListAll()) entries.Add(e);
        foreach (var alias in entries.Where(e => e.Pieces is not null && live.Contains(e.Fingerprint)))
        {
            foreach (var piece in alias.Pieces!)
                live.Add(piece.Chunk);
        }
        // Dead aliases go first and durably: a shard that lost an alias's removal in a crash would otherwise bring it
        // back pointing at a chunk already gone. If a shard restarted meanwhile, the chunks wait for the next gc.
        var epochs = await index.Epochs();
        var swept = await Sweep(entries.Where(e => e.Pieces is not null && !live.Contains(e.Fingerprint)));
        try
        {
            await index.FlushAll(epochs);
            swept += await Sweep(entries.Where(e => e.Pieces is null && !live.Contains(e.Fingerprint)));
            await index.FlushAll();
        }
        catch (IngestException)
        {
            // a shard restarted between the two sweeps
        }

        foreach (var path in abandoned)
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
        return new Outcome(false, swept, abandoned.Count);
    }

    private async Task<int> Sweep(IEnumerable<IndexEntryView> dead)
    {
        var swept = 0;
        foreach (var page in dead.Select(e => e.Fingerprint).Chunk(Page)) swept += await index.Sweep(page);
        return swept;
    }
}
