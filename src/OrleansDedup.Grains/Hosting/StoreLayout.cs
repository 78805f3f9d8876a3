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

    /// <summary>Held for a process's whole use of the store (<see cref="StoreLock"/>): shared by silos, exclusive otherwise.</summary>
    public string Lock => Path.Combine(Root, ".lock");

    /// <summary>Held exclusively for a moment while the manifest is created or read (<see cref="StoreManifest"/>). Not
    /// <see cref="Lock"/>: silos starting together hold that one shared all their lives, so none could take it exclusively.</summary>
    public string ManifestLock => Manifest + ".lock";

    public string Logs => Path.Combine(Root, "logs");

    public string RecipeOf(string relative) => Path.Combine(Root, relative);

    public static string RecipeRelativePath(Guid ingestId, int segment, int attempt = 0) =>
        Path.Combine("recipes", ingestId.ToString("N"), attempt == 0 ? $"segment-{segment:D5}.recipe" : $"segment-{segment:D5}.{attempt}.recipe");
}
