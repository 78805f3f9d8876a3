namespace OrleansDedup.Grains.Hosting;

/// <summary>The files of a store under its data directory.</summary>
public sealed class StoreLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Index => Path.Combine(Root, "index");

    public string Recipes => Path.Combine(Root, "recipes");

    public string CatalogDatabase => Path.Combine(Root, "catalog.db");

    public string Manifest => Path.Combine(Root, "store.json");

    public string Logs => Path.Combine(Root, "logs");

    public string RecipeOf(string relative) => Path.Combine(Root, relative);

    public static string RecipeRelativePath(Guid ingestId, int segment, int attempt = 0) =>
        Path.Combine("recipes", ingestId.ToString("N"), attempt == 0 ? $"segment-{segment:D5}.recipe" : $"segment-{segment:D5}.{attempt}.recipe");
}
