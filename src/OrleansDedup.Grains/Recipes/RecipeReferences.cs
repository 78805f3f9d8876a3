using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;

namespace OrleansDedup.Grains.Recipes;

/// <summary>The references that recipes hold, given back in batches (when an image is deleted or an ingest fails).</summary>
public static class RecipeReferences
{
    private const int Page = 65536;

    /// <param name="epochs">The shards' epochs when the references were taken, if they may have restarted since.</param>
    public static async Task Release(StoreLayout layout, IndexRouter index, IEnumerable<string> recipes, Guid[]? epochs = null)
    {
        foreach (var recipe in recipes)
        {
            using var reader = new RecipeReader(layout.RecipeOf(recipe), layout.Runs);
            var counts = new Dictionary<Fingerprint, int>();
            while (reader.TryRead(out var entry))
            {
                if (entry.IsZero) continue;
                counts[entry.Fingerprint] = counts.GetValueOrDefault(entry.Fingerprint) + 1;
                if (counts.Count >= Page) await Flush(index, counts, epochs);
            }
            await Flush(index, counts, epochs);
        }
    }

    public static void Delete(StoreLayout layout, IEnumerable<string> recipes)
    {
        foreach (var directory in recipes.Select(r => Path.GetDirectoryName(layout.RecipeOf(r))!).Distinct())
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    public static void DeleteFiles(StoreLayout layout, IEnumerable<string> recipes)
    {
        foreach (var recipe in recipes) File.Delete(layout.RecipeOf(recipe));
    }

    private static async Task Flush(IndexRouter index, Dictionary<Fingerprint, int> counts, Guid[]? epochs)
    {
        if (counts.Count == 0) return;
        await index.Release(counts.Keys.ToArray(), counts.Values.ToArray(), epochs);
        counts.Clear();
    }
}
