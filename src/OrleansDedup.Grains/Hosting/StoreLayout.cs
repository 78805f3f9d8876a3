using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Grains.Hosting;

/// <summary>The files of a store under its data directory.</summary>
public sealed class StoreLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Index => Path.Combine(Root, "index");

    public string Recipes => Path.Combine(Root, "recipes");

    /// <summary>Beside, not inside, <see cref="Recipes"/>: every directory there is one ingest's.</summary>
    public RecipeRuns Runs => new(Path.Combine(Root, "recipe-runs"));

    public string CatalogDatabase => Path.Combine(Root, "catalog.db");

    public string Manifest => Path.Combine(Root, "store.json");

    public string Logs => Path.Combine(Root, "logs");

    public string RecipeOf(string relative) => Path.Combine(Root, relative);

    public static string RecipeRelativePath(Guid ingestId, int segment, int attempt = 0) =>
        Path.Combine("recipes", ingestId.ToString("N"), attempt == 0 ? $"segment-{segment:D5}.recipe" : $"segment-{segment:D5}.{attempt}.recipe");
}
