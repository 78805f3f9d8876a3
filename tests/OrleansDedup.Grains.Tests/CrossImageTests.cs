using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests;

/// <summary>A second image that is the first with a few KiB changed and 777 bytes inserted near the start: content-defined
/// chunking finds the shifted data again, fixed blocks do not.</summary>
public sealed class CrossImageTests(GridFixture fixture, ITestOutputHelper output) : IClassFixture<GridFixture>
{
    private const int Size = 4 * Grid.SegmentSize + 3 * 4096 + 2000;
    private Grid Grid => fixture.Grid;

    [Fact]
    public async Task Shifted_variant_costs_little_under_content_defined_chunking_and_much_under_fixed_blocks()
    {
        var stored = new Dictionary<ChunkingStrategy, (ImageInfo Base, ImageInfo Variant)>();
        foreach (var strategy in new[] { ChunkingStrategy.Fixed, ChunkingStrategy.Rabin, ChunkingStrategy.Adaptive })
        {
            // a base image per strategy (own seed), so that no strategy finds another's data
            // files of 32 KiB to 256 KiB, some zero regions, a few repeated files
            var original = TestImages.Disk(seed: 300 + (int)strategy, Size, zeroShare: 0.1, repeatShare: 0.05, minFileBlocks: 8, maxFileBlocks: 64);
            var variant = TestImages.Variant(original, seed: 310 + (int)strategy, changes: 4, insertAt: 9_000, insertLength: 777);
            var basePath = TestImages.Write(fixture.Temp.File($"base-{strategy}.img"), original);
            var variantPath = TestImages.Write(fixture.Temp.File($"variant-{strategy}.img"), variant);
            var baseInfo = await Grid.IngestOk($"base-{strategy}", basePath, strategy);
            var variantInfo = await Grid.IngestOk($"variant-{strategy}", variantPath, strategy);
            Assert.Equal(Size + 777, variantInfo.Size);
            Assert.True(variantInfo.Segments > 1);
            stored[strategy] = (baseInfo, variantInfo);
            output.WriteLine($"{strategy}: base stored {baseInfo.Stats.StoredBytes} of {baseInfo.Size}; variant stored {variantInfo.Stats.StoredBytes} of {variantInfo.Size} ({100.0 * variantInfo.Stats.StoredBytes / variantInfo.Size:F1} %): chunks {variantInfo.Stats.StoredChunkBytes}, index entries {variantInfo.Stats.IndexEntriesAdded}, recipe {variantInfo.Stats.RecipeBytes}");

            var restored = fixture.Temp.File($"variant-{strategy}.restored");
            await Grid.Restore($"variant-{strategy}", restored, silo: 1);
            TestImages.AssertSameBytes(variant, restored);
        }

        // control: the first image of each strategy really is stored (its data is mostly unique)
        foreach (var (strategy, (baseInfo, _)) in stored)
            Assert.True(baseInfo.Stats.StoredBytes > 0.6 * baseInfo.Size, $"{strategy}: base stored {baseInfo.Stats.StoredBytes} of {baseInfo.Size}");

        var adaptive = stored[ChunkingStrategy.Adaptive].Variant;
        Assert.True(adaptive.Stats.StoredBytes < 0.15 * adaptive.Size,
            $"adaptive: the variant stored {adaptive.Stats.StoredBytes} bytes of {adaptive.Size} ({100.0 * adaptive.Stats.StoredBytes / adaptive.Size:F1} %)");

        var fixedCost = stored[ChunkingStrategy.Fixed].Variant.Stats.StoredBytes;
        var rabinCost = stored[ChunkingStrategy.Rabin].Variant.Stats.StoredBytes;
        Assert.True(fixedCost > 0.6 * Size, $"fixed blocks cannot find data shifted by 777 bytes, yet the variant stored only {fixedCost} bytes");
        Assert.True(fixedCost > 3 * rabinCost, $"fixed {fixedCost} vs rabin {rabinCost}");
        Assert.True(fixedCost > 3 * adaptive.Stats.StoredBytes, $"fixed {fixedCost} vs adaptive {adaptive.Stats.StoredBytes}");

        await Grid.VerifyOk();
    }
}
