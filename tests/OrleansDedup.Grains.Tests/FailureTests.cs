using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests;

/// <summary>Ingests that fail or are cancelled keep nothing: no image, no references, and after a collection no bytes beyond
/// what the images that remain need.</summary>
public sealed class FailureTests(GridFixture fixture, ITestOutputHelper output) : IClassFixture<GridFixture>
{
    private const int LibrarySeed = 600;
    private Grid Grid => fixture.Grid;

    [Fact]
    public async Task Missing_file_fails_as_bad_input()
    {
        var missing = fixture.Temp.File("no-such.img");
        var status = await Grid.Image("missing").StartIngest(new IngestRequest(missing, ChunkingStrategy.Adaptive));
        Assert.Equal(IngestState.Failed, status.State);
        Assert.Equal(IngestErrorKind.BadInput, status.ErrorKind);
        Assert.Contains(missing, status.Error);
        Assert.Equal(status, await Grid.Image("missing").GetIngestStatus());
        Assert.Null(await Grid.Image("missing").GetInfo());
    }

    [Fact]
    public async Task Cancelled_ingest_keeps_nothing()
    {
        var baseline = await Baseline();
        var data = TestImages.Disk(seed: 610, 6 * Grid.SegmentSize + 4096 + 99, zeroShare: 0.1,
            library: TestImages.Library(LibrarySeed), libraryShare: 0.3);
        var path = TestImages.Write(fixture.Temp.File("cancelled.img"), data);

        var grain = Grid.Image("cancelled");
        var started = await grain.StartIngest(new IngestRequest(path, ChunkingStrategy.Adaptive));
        Assert.Equal(IngestState.Running, started.State);
        await grain.CancelIngest();
        var status = await Grid.WaitForIngest("cancelled");
        output.WriteLine($"cancel ended {status.State} after {status.BytesDone} bytes");

        if (status.State == IngestState.Cancelled)
        {
            Assert.Null(await grain.GetInfo());
            Assert.Null(status.Image);
            Assert.DoesNotContain("cancelled", await Grid.Client.GetGrain<ICatalogGrain>(0).List());
            await Grid.VerifyOk();
        }
        else
        {
            // the cancel lost the race: the image is whole
            Assert.Equal(IngestState.Succeeded, status.State);
            await Grid.VerifyOk();
            Assert.True(await grain.Delete());
        }
        await AssertBackTo(baseline);
    }

    [Fact]
    public async Task File_truncated_during_ingest_fails_as_bad_input_and_keeps_nothing()
    {
        var baseline = await Baseline();
        int[] sizes = [4 * Grid.SegmentSize + 1000, 6 * Grid.SegmentSize + 1000, 8 * Grid.SegmentSize - 1000];
        for (var attempt = 0; ; attempt++)
        {
            Assert.True(attempt < sizes.Length, "every ingest finished before the file could be truncated");
            var size = sizes[attempt];
            var path = TestImages.Write(fixture.Temp.File($"truncated-{attempt}.img"),
                TestImages.Disk(seed: 620 + attempt, size, zeroShare: 0.05, library: TestImages.Library(LibrarySeed), libraryShare: 0.3));
            var name = $"truncated-{attempt}";
            var grain = Grid.Image(name);
            var status = await grain.StartIngest(new IngestRequest(path, ChunkingStrategy.Adaptive));
            while (status.State == IngestState.Running && status.BytesDone == 0) status = await grain.GetIngestStatus();
            if (status.State == IngestState.Running)
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                file.SetLength(size / 3);
            }
            output.WriteLine($"attempt {attempt}: truncated at {status.BytesDone}/{status.BytesTotal} bytes ({status.State})");
            status = await Grid.WaitForIngest(name);
            output.WriteLine($"attempt {attempt}: ended {status.State} {status.ErrorKind}: {status.Error}");
            if (status.State == IngestState.Succeeded)
            {
                Assert.True(await grain.Delete());
                continue;
            }

            Assert.Equal(IngestState.Failed, status.State);
            Assert.Equal(IngestErrorKind.BadInput, status.ErrorKind);
            Assert.Contains(path, status.Error);
            Assert.True(status.Error!.Contains("changed size") || status.Error.Contains("truncated"), status.Error);
            Assert.Null(await grain.GetInfo());
            await Grid.VerifyOk();
            break;
        }
        await AssertBackTo(baseline);
    }

    private sealed record StoreState(long PackBytes, long Chunks, long Aliases, long ChunkBytes);

    /// <summary>Makes sure an image other than the one under test is in the store (sharing content with it), collects,
    /// and returns what the store holds then.</summary>
    private async Task<StoreState> Baseline()
    {
        if (await Grid.Image("keeper").GetInfo() is null)
        {
            var keeper = TestImages.Disk(seed: 601, 2 * Grid.SegmentSize + 55, library: TestImages.Library(LibrarySeed), libraryShare: 0.5);
            await Grid.IngestOk("keeper", TestImages.Write(fixture.Temp.File("keeper.img"), keeper), ChunkingStrategy.Adaptive);
        }
        await Grid.Collect();
        return await State();
    }

    private async Task<StoreState> State()
    {
        var shards = await Grid.ShardStats();
        return new StoreState(Grid.Store.TotalBytes(), shards.Sum(s => s.Chunks), shards.Sum(s => s.Aliases), shards.Sum(s => s.ChunkBytes));
    }

    private async Task AssertBackTo(StoreState baseline)
    {
        await Grid.Collect();
        Assert.Equal(baseline, await State());
        await Grid.VerifyOk();
        var restored = fixture.Temp.File("keeper.restored");
        await Grid.Restore("keeper", restored);
        TestImages.AssertSameFile(fixture.Temp.File("keeper.img"), restored);
    }
}
