using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Four overlapping images ingested at once, checked, restored, deleted and collected: the store ends empty.</summary>
public sealed class ConcurrencyTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    private Grid Grid => fixture.Grid;

    [Fact]
    public async Task Concurrent_overlapping_ingests_verify_restore_and_collect_to_nothing()
    {
        var library = TestImages.Library(seed: 400);
        var strategies = new[] { ChunkingStrategy.Adaptive, ChunkingStrategy.Adaptive, ChunkingStrategy.Fixed, ChunkingStrategy.Adaptive };
        var images = Enumerable.Range(0, 4).Select(i => TestImages.Disk(seed: 410 + i, 2 * Grid.SegmentSize + i * 20_000 + 777,
            zeroShare: 0.1, repeatShare: 0.05, library: library, libraryShare: 0.5)).ToArray();
        var names = Enumerable.Range(0, 4).Select(i => $"concurrent-{i}").ToArray();
        var paths = names.Select((n, i) => TestImages.Write(fixture.Temp.File(n + ".img"), images[i])).ToArray();

        var started = await Task.WhenAll(names.Select((n, i) => Grid.Image(n).StartIngest(new IngestRequest(paths[i], strategies[i]))));
        Assert.All(started, s => Assert.Equal(IngestState.Running, s.State));
        var finished = await Task.WhenAll(names.Select(n => Grid.WaitForIngest(n)));
        Assert.All(finished, s => Assert.True(s.State == IngestState.Succeeded, $"{s.State}: {s.Error}"));

        // the shared library content is stored about once, not four times
        var stored = finished.Sum(s => s.Image!.Stats.StoredChunkBytes);
        var data = finished.Sum(s => s.Image!.Size - s.Image.Stats.ZeroBytes);
        Assert.True(stored < 0.85 * data, $"stored {stored} of {data} data bytes");
        Assert.True(await Grid.Aliases() > 0);

        var report = await Grid.Verify(silo: 1);
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        Assert.Equal(4, report.Images);
        Assert.True(report.Chunks > 0 && report.Aliases > 0);

        for (var i = 0; i < 4; i++)
        {
            var output = fixture.Temp.File(names[i] + ".restored");
            await Grid.Restore(names[i], output, silo: i % 2);
            TestImages.AssertSameBytes(images[i], output);
        }

        Assert.All(await Task.WhenAll(names.Select(n => Grid.Image(n).Delete())), Assert.True);
        Assert.Empty(await Grid.Client.GetGrain<ICatalogGrain>(0).List());
        Assert.All(await Task.WhenAll(names.Select(n => Grid.Image(n).GetInfo())), Assert.Null);
        await Grid.VerifyOk();

        var gc = await Grid.Collect();
        Assert.True(gc.PacksDeleted > 0);
        Assert.Equal(0, gc.BytesAfter);
        Assert.Equal(0, Grid.Store.TotalBytes());
        Assert.All(await Grid.ShardStats(), s =>
        {
            Assert.Equal(0, s.Chunks);
            Assert.Equal(0, s.Aliases);
            Assert.Equal(0, s.ChunkBytes);
        });
        Assert.False(await Grid.Image(names[0]).Delete());
        await Grid.VerifyOk();
    }
}
