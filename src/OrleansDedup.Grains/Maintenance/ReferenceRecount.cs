using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Images;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Recipes;

namespace OrleansDedup.Grains.Maintenance;

/// <summary>
/// Mark-and-sweep over references: what the committed recipes use, and what live aliases use, is what the index must
/// count. Ingests that died with their silo leave references no recipe accounts for, and recipe directories no image
/// owns; the recount repairs the first and removes the second. It must not run beside a live ingest, whose references
/// are not in any committed recipe yet.
/// </summary>
internal sealed class ReferenceRecount(IGrainFactory grains, IndexRouter index, StoreLayout layout, TimeSpan heartbeatExpiry)
{
    public sealed record Outcome(bool Skipped, int Repaired, int Abandoned);

    public async Task<Outcome> Run()
    {
        var committed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in await grains.GetGrain<ICatalogGrain>(0).List())
            if (await grains.GetGrain<IImageGrain>(name).GetManifest() is { } manifest)
                committed.UnionWith(manifest.SegmentRecipes.Select(layout.RecipeOf));

        var abandoned = new List<string>();
        if (Directory.Exists(layout.Recipes))
            foreach (var directory in Directory.EnumerateDirectories(layout.Recipes))
            {
                var files = Directory.EnumerateFiles(directory, "*.recipe").ToArray();
                if (files.Any(committed.Contains))
                {
                    abandoned.AddRange(files.Where(f => !committed.Contains(f)));
                    continue;
                }
                if (IngestHeartbeat.IsFresh(directory, heartbeatExpiry)) return new Outcome(true, 0, 0);
                abandoned.Add(directory);
            }

        layout.Runs.Sweep(committed.SelectMany(r => RecipeReader.RunIds(r, layout.Runs)).ToHashSet());
        var expected = new Dictionary<Fingerprint, int>();
        foreach (var recipe in committed)
        {
            using var reader = new RecipeReader(recipe, layout.Runs);
            while (reader.TryRead(out var entry))
                if (!entry.IsZero) expected[entry.Fingerprint] = expected.GetValueOrDefault(entry.Fingerprint) + 1;
        }
        var entries = new List<IndexEntryView>();
        await foreach (var e in index.ListAll()) entries.Add(e);
        foreach (var alias in entries.Where(e => e.Pieces is not null && expected.ContainsKey(e.Fingerprint)))
            foreach (var piece in alias.Pieces!)
                expected[piece.Chunk] = expected.GetValueOrDefault(piece.Chunk) + 1;

        var wrong = entries.Where(e => expected.GetValueOrDefault(e.Fingerprint) != e.References).ToArray();
        foreach (var group in wrong.GroupBy(e => e.Fingerprint.Shard(index.ShardCount)))
        {
            var fingerprints = group.Select(e => e.Fingerprint).ToArray();
            await index.Shard(group.Key).SetReferences(new ReferenceBatch(fingerprints, fingerprints.Select(fp => expected.GetValueOrDefault(fp)).ToArray()));
        }
        await index.FlushAll();
        foreach (var path in abandoned)
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
        return new Outcome(false, wrong.Length, abandoned.Count);
    }
}
