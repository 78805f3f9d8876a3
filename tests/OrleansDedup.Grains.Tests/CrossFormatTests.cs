using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests;

/// <summary>The same guest disk in all five formats, each store fresh: following guest blocks stores about one copy,
/// opaque fixed blocks store several, because the containers shift guest data off the 4 KiB grid.</summary>
public sealed class CrossFormatTests(FormatImages images, ITestOutputHelper output) : IClassFixture<FormatImages>
{
    [Fact]
    public async Task Five_formats_of_one_guest_store_little_more_than_one_copy()
    {
        var adaptive = await IngestAll(ChunkingStrategy.Adaptive);
        var guest = await IngestAll(ChunkingStrategy.Guest);
        var opaque = await IngestAll(ChunkingStrategy.Fixed);

        var oneCopy = adaptive[0].Stats.StoredBytes;
        var containerMetadata = adaptive.Sum(i => i.Container!.MetadataBytes);
        var adaptiveTotal = adaptive.Sum(i => i.Stats.StoredBytes);
        var guestTotal = guest.Sum(i => i.Stats.StoredBytes);
        var opaqueTotal = opaque.Sum(i => i.Stats.StoredBytes);
        output.WriteLine($"{"format",-24}{"file",12}{"adaptive stored",18}{"guest stored",15}{"fixed stored",15}");
        for (var i = 0; i < adaptive.Length; i++)
        {
            output.WriteLine($"{adaptive[i].Name,-24}{adaptive[i].Size,12:N0}{adaptive[i].Stats.StoredBytes,18:N0}" +
                             $"{guest[i].Stats.StoredBytes,15:N0}{opaque[i].Stats.StoredBytes,15:N0}");
        }

        output.WriteLine($"one copy (raw, adaptive): {oneCopy:N0}; container metadata of all five: {containerMetadata:N0}");
        output.WriteLine($"all five, adaptive: {adaptiveTotal:N0} = {(double)adaptiveTotal / oneCopy:0.000} x one copy; " +
                         $"guest: {guestTotal:N0} = {(double)guestTotal / oneCopy:0.000} x; opaque fixed: {opaqueTotal:N0} = {(double)opaqueTotal / oneCopy:0.000} x");

        Assert.True(adaptiveTotal < 1.1 * oneCopy, $"adaptive stored {adaptiveTotal:N0} bytes for five formats, one copy is {oneCopy:N0}");
        Assert.True(guestTotal < 1.1 * guest[0].Stats.StoredBytes, $"guest stored {guestTotal:N0} bytes for five formats");
        Assert.True(adaptiveTotal * 2 < opaqueTotal, $"adaptive stored {adaptiveTotal:N0} bytes, opaque fixed {opaqueTotal:N0}");
    }

    [Fact]
    public async Task Five_formats_of_one_guest_share_their_recipes()
    {
        // The product's segments: the tests' small ones would cut each recipe into pieces smaller than a run.
        var adaptive = await IngestAll(ChunkingStrategy.Adaptive, o => o.SegmentSize = new DedupOptions().SegmentSize);

        var oneImage = adaptive[0].Stats.RecipeBytes;
        var total = adaptive.Sum(i => i.Stats.RecipeBytes);
        foreach (var image in adaptive) output.WriteLine($"{image.Name,-24} recipe bytes added {image.Stats.RecipeBytes,10:N0}");
        output.WriteLine($"all five: {total:N0} = {(double)total / oneImage:0.000} x one image's");
        Assert.True(total <= 1.3 * oneImage, $"five formats added {total:N0} recipe bytes, one image {oneImage:N0}");
    }

    /// <summary>Ingests the raw image first, then the four containers, into a fresh store.</summary>
    private async Task<ImageInfo[]> IngestAll(ChunkingStrategy strategy, Action<DedupOptions>? dedup = null)
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1, dedup: dedup);
        var infos = new List<ImageInfo>();
        foreach (var layout in FormatImages.Five)
            infos.Add(await grid.IngestOk(layout, images.Set.PathOf(layout), strategy));
        await grid.VerifyOk();
        return infos.ToArray();
    }
}
