using OrleansDedup.Testing.Images;

namespace OrleansDedup.Cli.Tests;

/// <summary>Real images in all five formats, ingested under each strategy through the CLI and restored byte-identical.</summary>
[Collection(ImageCollection.Name)]
public sealed class RoundTripTests(ImageFixtures images)
{
    [Theory]
    [InlineData("fixed")]
    [InlineData("rabin")]
    [InlineData("adaptive")]
    public void Every_format_restores_byte_identical(string strategy)
    {
        var store = Cli.TempStore();
        // Segments of 8 MiB make the 24 MiB images multi-segment, so adaptive runs its fixed-then-Rabin path.
        var ingest = Cli.Run(store, ["ingest", .. images.Formats.Values, "--strategy", strategy, "--segment-size", "8M", "--json"]);
        Assert.True(ingest.ExitCode == 0, ingest.Error);
        Assert.Equal(images.Formats.Count, ingest.Json.GetArrayLength());

        foreach (var (extension, path) in images.Formats)
        {
            var output = Path.Combine(store, "restored." + extension);
            var restore = Cli.Run(store, "restore", Path.GetFileName(path), "--out", output);
            Assert.True(restore.ExitCode == 0, restore.Error);
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(output)), $"{extension} differs after restore");
        }
        var verify = Cli.Run(store, "verify", "--json");
        Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);
        Assert.True(verify.Json.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void A_similar_second_image_stores_a_small_fraction_of_its_size()
    {
        var store = Cli.TempStore();
        Assert.Equal(0, Cli.Run(store, "ingest", images.Raw).ExitCode);
        var second = Cli.Run(store, "ingest", images.SimilarRaw, "--json");
        Assert.True(second.ExitCode == 0, second.Error);
        var image = second.Json[0];
        var stored = image.GetProperty("storedBytes").GetInt64();
        var size = image.GetProperty("size").GetInt64();
        Assert.True(stored < size / 5, $"the similar image stored {stored} of {size} bytes");
        Assert.True(image.GetProperty("duplicateChunks").GetInt64() > image.GetProperty("newChunks").GetInt64());
    }

    [Fact]
    public void A_sparse_image_restores_sparse()
    {
        var store = Cli.TempStore();
        Directory.CreateDirectory(store);
        var sparse = Path.Combine(store, "sparse.raw");
        using (var f = File.Create(sparse))
        {
            f.SetLength(64 << 20);
            f.Position = 5 << 20;
            f.Write(File.ReadAllBytes(images.Raw).AsSpan(0, 1 << 20));
        }
        Assert.Equal(0, Cli.Run(store, "ingest", sparse).ExitCode);
        var output = Path.Combine(store, "restored.raw");
        Assert.Equal(0, Cli.Run(store, "restore", "sparse.raw", "--out", output).ExitCode);
        Assert.True(File.ReadAllBytes(sparse).AsSpan().SequenceEqual(File.ReadAllBytes(output)));
        var allocated = long.Parse(ImageSet.Run("stat", $"-c %b {output}").Trim()) * 512;
        Assert.True(allocated < 8 << 20, $"restored file has {allocated} bytes allocated of 64 MiB");
    }

    [Fact]
    public void Delete_and_gc_shrink_the_store_on_disk()
    {
        var store = Cli.TempStore();
        // One after the other, so that the second image's packs hold only what it alone has: deleting it frees them.
        Assert.Equal(0, Cli.Run(store, "ingest", images.Raw).ExitCode);
        Assert.Equal(0, Cli.Run(store, "ingest", images.SimilarRaw).ExitCode);
        var before = PackBytes(store);
        Assert.Equal(0, Cli.Run(store, "delete", "similar.raw").ExitCode);
        Assert.Equal(0, Cli.Run(store, "gc").ExitCode);
        var middle = PackBytes(store);
        Assert.True(middle < before, $"gc kept {middle} of {before} bytes");
        var output = Path.Combine(store, "base.out");
        Assert.Equal(0, Cli.Run(store, "restore", "base.raw", "--out", output).ExitCode);
        Assert.True(File.ReadAllBytes(images.Raw).AsSpan().SequenceEqual(File.ReadAllBytes(output)));
        Assert.Equal(0, Cli.Run(store, "delete", "base.raw").ExitCode);
        Assert.Equal(0, Cli.Run(store, "gc").ExitCode);
        Assert.Equal(0, PackBytes(store));
        Assert.Equal(0, Cli.Run(store, "verify").ExitCode);
    }

    [Fact]
    public void Compare_reports_three_strategies_and_writes_a_chart()
    {
        var store = Cli.TempStore();
        Directory.CreateDirectory(store);
        var chart = Path.Combine(store, "chart.png");
        var result = Cli.Run(store, "compare", images.Raw, images.SimilarRaw, images.Formats["vdi"], "--chart", chart, "--segment-size", "8M", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        var overall = result.Json.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "overall").GetProperty("rates");
        foreach (var strategy in new[] { "fixed", "rabin", "adaptive" })
        {
            var rate = overall.GetProperty(strategy).GetDouble();
            Assert.InRange(rate, 1, 100);
        }
        Assert.True(File.ReadAllBytes(chart).AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.False(Directory.Exists(Path.Combine(store, "packs")), "compare must not touch the user's store");
    }

    private static long PackBytes(string store) =>
        Directory.Exists(Path.Combine(store, "packs")) ? new DirectoryInfo(Path.Combine(store, "packs")).EnumerateFiles("*.pack").Sum(f => f.Length) : 0;
}
