using System.Text.Json;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.IO;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>
/// The recipes of the images a host holds, laid out as a store lays out its own (<see cref="StoreLayout"/> over the host's
/// directory): <c>recipes/{image}/segment-NNNNN.recipe</c> with an <c>image.json</c> beside them, and the recipe runs they
/// name in <c>recipe-runs/</c>. So the grid's restorer reads them as it reads a store's.
/// </summary>
internal sealed class HostRecipes(string directory)
{
    private const string ImageFile = "image.json";

    public StoreLayout Layout { get; } = new(directory);

    /// <summary>Keeps one segment recipe with the runs it names: runs first, so that a recipe never names a lost run.</summary>
    public void Add(RecipeCopy recipe)
    {
        var folder = Layout.RecipeOf(ImageFolder(recipe.Image));
        Directory.CreateDirectory(folder);
        var runs = Layout.Runs;
        foreach (var run in recipe.Runs)
            runs.Add(RecipeRuns.Id(run.Bytes) == run.Id ? run.Id : throw new InvalidDataException($"recipe run {run.Id} arrived damaged"), run.Bytes);
        if (recipe.Runs.Length > 0) runs.Sync();
        DurableFile.Write(Layout.RecipeOf(SegmentPath(recipe.Image, recipe.Segment)), recipe.Recipe);
        DurableFile.Write(Path.Combine(folder, ImageFile),
            JsonSerializer.SerializeToUtf8Bytes(new HeldImage(recipe.Image, recipe.ImageSize, recipe.ImageDigest, recipe.SegmentCount)));
    }

    /// <summary>True when every segment recipe of the image is here.</summary>
    public bool Holds(string image) => Held(image) is { } held
        && Enumerable.Range(0, held.Segments).All(s => File.Exists(Layout.RecipeOf(SegmentPath(image, s))));

    public HeldImage? Held(string image)
    {
        var file = Path.Combine(Layout.RecipeOf(ImageFolder(image)), ImageFile);
        return File.Exists(file) ? JsonSerializer.Deserialize<HeldImage>(File.ReadAllText(file)) : null;
    }

    public string[] Images() => Directory.Exists(Layout.Recipes)
        ? Directory.EnumerateDirectories(Layout.Recipes).Select(d => Held(Uri.UnescapeDataString(Path.GetFileName(d)))?.Name).OfType<string>().Order().ToArray()
        : [];

    /// <summary>The segment's recipe, relative to the host's directory (as a manifest names a store's recipes).</summary>
    public static string SegmentPath(string image, int segment) => Path.Combine(ImageFolder(image), $"segment-{segment:D5}.recipe");

    private static string ImageFolder(string image) => Path.Combine("recipes", HostDirectory.SafeName(image));
}
