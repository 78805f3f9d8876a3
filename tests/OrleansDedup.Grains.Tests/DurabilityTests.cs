using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Everything an ingest commits survives the whole cluster going down: a new cluster on the same data directory
/// restores the images, verifies, and deduplicates against them.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task Images_survive_a_cluster_restart()
    {
        using var temp = new TempDirectory();
        var big = TestImages.Disk(seed: 700, 3 * Grid.SegmentSize + 4096 + 321);
        var small = TestImages.Disk(seed: 701, 500 * 1024 + 3);
        var bigPath = TestImages.Write(temp.File("big.img"), big);
        var smallPath = TestImages.Write(temp.File("small.img"), small);
        ImageInfo bigInfo, smallInfo;

        await using (var first = await Grid.StartAsync(temp.Data))
        {
            bigInfo = await first.IngestOk("big", bigPath, ChunkingStrategy.Adaptive);
            smallInfo = await first.IngestOk("small", smallPath, ChunkingStrategy.Rabin);
        }

        await using var second = await Grid.StartAsync(temp.Data);
        Assert.Equal(bigInfo, await second.Image("big").GetInfo());
        Assert.Equal(smallInfo, await second.Image("small").GetInfo());
        Assert.Equal(["big", "small"], await second.Client.GetGrain<ICatalogGrain>(0).List());

        await second.VerifyOk();
        var report = await second.Verify();
        Assert.True(report.Chunks > 0 && report.Aliases > 0, "the index came back from its journals");

        await second.Restore("big", temp.File("big.restored"), silo: 1);
        TestImages.AssertSameBytes(big, temp.File("big.restored"));
        await second.Restore("small", temp.File("small.restored"));
        TestImages.AssertSameBytes(small, temp.File("small.restored"));

        // the restarted index still knows the chunks: the same data again costs only metadata
        var again = await second.IngestOk("big-again", bigPath, ChunkingStrategy.Adaptive);
        Assert.Equal(0, again.Stats.StoredChunkBytes);
        Assert.Equal(bigInfo.Digest, again.Digest);
        await second.VerifyOk();
    }
}
