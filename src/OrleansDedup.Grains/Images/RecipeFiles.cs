using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Images;

/// <summary>Removes recipe files: an image's when it is deleted, an ingest's when it fails.</summary>
public static class RecipeFiles
{
    public static void Delete(StoreLayout layout, IEnumerable<string> recipes)
    {
        foreach (var directory in recipes.Select(r => Path.GetDirectoryName(layout.RecipeOf(r))!).Distinct())
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    public static void DeleteFiles(StoreLayout layout, IEnumerable<string> recipes)
    {
        foreach (var recipe in recipes) File.Delete(layout.RecipeOf(recipe));
    }
}
