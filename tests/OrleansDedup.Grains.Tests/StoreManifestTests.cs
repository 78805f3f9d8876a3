using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>A store records the fingerprint algorithm its chunks are named by, and a build refuses one it does not compute.</summary>
public sealed class StoreManifestTests
{
    [Fact]
    public void A_new_store_records_sha256()
    {
        using var temp = new TempDirectory();
        var layout = new StoreLayout(temp.Data);
        StoreManifest.Reconcile(layout, Grid.Options(temp.Data));
        Assert.Equal("sha256", JsonNode.Parse(File.ReadAllText(layout.Manifest))!["Fingerprint"]!.GetValue<string>());
    }

    [Fact]
    public void A_manifest_written_before_the_algorithm_was_recorded_is_a_sha256_store()
    {
        using var temp = new TempDirectory();
        var layout = new StoreLayout(temp.Data);
        Rewrite(layout, manifest => manifest.Remove("Fingerprint"));
        Assert.True(StoreManifest.TryAdopt(layout, Grid.Options(temp.Data)));
    }

    [Fact]
    public void A_store_of_another_fingerprint_algorithm_is_refused_and_left_as_it_was()
    {
        using var temp = new TempDirectory();
        var layout = new StoreLayout(temp.Data);
        Rewrite(layout, manifest => manifest["Fingerprint"] = "blake3");
        var before = File.ReadAllBytes(layout.Manifest);
        var refused = Assert.Throws<StoreFormatException>(() => StoreManifest.Reconcile(layout, Grid.Options(temp.Data)));
        Assert.Contains("blake3", refused.Message);
        Assert.Equal(before, File.ReadAllBytes(layout.Manifest));
    }

    [Fact]
    public void Adopting_a_directory_without_a_store_creates_nothing()
    {
        using var temp = new TempDirectory();
        Assert.False(StoreManifest.TryAdopt(new StoreLayout(temp.Data), Grid.Options(temp.Data)));
        Assert.False(Directory.Exists(temp.Data) && Directory.EnumerateFileSystemEntries(temp.Data).Any());
    }

    private static void Rewrite(StoreLayout layout, Action<JsonObject> change)
    {
        StoreManifest.Reconcile(layout, Grid.Options(layout.Root));
        var manifest = JsonNode.Parse(File.ReadAllText(layout.Manifest))!.AsObject();
        change(manifest);
        File.WriteAllText(layout.Manifest, manifest.ToJsonString(new JsonSerializerOptions()));
    }
}
