using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Ingest then restore under every strategy: the bytes come back, and only the adaptive strategy on a multi-segment
/// image cuts aliases. Also: a second ingest under a taken name is refused and leaves the first image alone.</summary>
public sealed class RoundTripTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    private Grid Grid => fixture.Grid;

    public static TheoryData<ChunkingStrategy, int> Images => new()
    {
        // 3 whole segments, a 4th of 5 blocks and 1234 bytes: multi-segment, not a multiple of 4096
        { ChunkingStrategy.Fixed, 3 * Grid.SegmentSize + 5 * 4096 + 1234 },
        { ChunkingStrategy.Rabin, 3 * Grid.SegmentSize + 5 * 4096 + 1234 },
        { ChunkingStrategy.Adaptive, 3 * Grid.SegmentSize + 5 * 4096 + 1234 },
        // under one segment
        { ChunkingStrategy.Fixed, 700 * 1024 + 333 },
        { ChunkingStrategy.Rabin, 700 * 1024 + 333 },
        { ChunkingStrategy.Adaptive, 700 * 1024 + 333 },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public async Task Image_restores_byte_identical(ChunkingStrategy strategy, int size)
    {
        var name = $"round-{strategy}-{size}";
        var data = TestImages.Disk(seed: size % 1000 + (int)strategy, size, zeroShare: 0.2, repeatShare: 0.2);
        var path = TestImages.Write(fixture.Temp.File(name + ".img"), data);
        var aliasesBefore = await Grid.Aliases();

        var info = await Grid.IngestOk(name, path, strategy);

        var segments = (size + Grid.SegmentSize - 1) / Grid.SegmentSize;
        Assert.Equal(name, info.Name);
        Assert.Equal(size, info.Size);
        Assert.Equal(strategy, info.Strategy);
        Assert.Equal(segments, info.Segments);
        Assert.Equal(Path.GetFullPath(path), info.SourcePath);
        // every byte is accounted for exactly once: as zeros, as a duplicate or as new data
        Assert.Equal(size, info.Stats.ZeroBytes + info.Stats.DuplicateBytes + info.Stats.NewBytes);
        Assert.True(info.Stats.NewBytes > 0);
        Assert.True(info.Stats.ZeroBytes > 0, "the disk image has zero regions");
        if (segments > 1) Assert.True(info.Stats.DuplicateBytes > 0, "the disk image repeats some of its files");

        var output = fixture.Temp.File(name + ".restored");
        var restored = await Grid.Restore(name, output, silo: size % 2);
        Assert.Equal(info.Digest, restored.Digest);
        TestImages.AssertSameBytes(data, output);

        var aliasesAdded = await Grid.Aliases() - aliasesBefore;
        if (strategy == ChunkingStrategy.Adaptive && segments > 1)
            Assert.True(aliasesAdded > 0, "adaptive dedup of a multi-segment image stores its new blocks as aliases of Rabin chunks");
        else
            Assert.Equal(0, aliasesAdded);

        await Grid.VerifyOk();
    }

    [Fact]
    public async Task Other_content_under_a_taken_name_conflicts_and_the_same_content_is_already_stored()
    {
        var first = TestImages.Disk(seed: 61, 300 * 1024 + 17);
        var second = TestImages.Disk(seed: 62, 300 * 1024 + 17);
        var firstPath = TestImages.Write(fixture.Temp.File("conflict-1.img"), first);
        var secondPath = TestImages.Write(fixture.Temp.File("conflict-2.img"), second);
        var original = await Grid.IngestOk("conflict", firstPath, ChunkingStrategy.Adaptive);

        // Same size, other bytes: only reading the content tells them apart.
        var conflict = await Grid.Ingest("conflict", secondPath, ChunkingStrategy.Fixed);
        Assert.Equal(IngestState.Failed, conflict.State);
        Assert.Equal(IngestErrorKind.Conflict, conflict.ErrorKind);
        Assert.Contains("other content", conflict.Error);
        Assert.Null(conflict.Image);

        var again = await Grid.Ingest("conflict", firstPath, ChunkingStrategy.Adaptive);
        Assert.Equal(IngestState.Succeeded, again.State);
        Assert.True(again.AlreadyStored);
        Assert.Equal(original, again.Image);

        Assert.Equal(original, await Grid.Image("conflict").GetInfo());
        Assert.Contains("conflict", await Grid.Client.GetGrain<ICatalogGrain>(0).List());
        var output = fixture.Temp.File("conflict.restored");
        await Grid.Restore("conflict", output);
        TestImages.AssertSameBytes(first, output);
        await Grid.VerifyOk();
    }
}
