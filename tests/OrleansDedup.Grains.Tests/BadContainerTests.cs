using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>A header that claims qcow2 over a bad table is refused before any segment runs, under every strategy, and
/// leaves the store as it was; the opaque flag stores the file as plain bytes.</summary>
public sealed class BadContainerTests(GridFixture fixture, FormatImages images) : IClassFixture<GridFixture>, IClassFixture<FormatImages>
{
    private Grid Grid => fixture.Grid;

    [Theory]
    [InlineData(ChunkingStrategy.Adaptive)]
    [InlineData(ChunkingStrategy.Guest)]
    [InlineData(ChunkingStrategy.Fixed)]
    public async Task A_bad_table_entry_is_bad_input_and_the_opaque_flag_stores_the_bytes(ChunkingStrategy strategy)
    {
        var path = fixture.Temp.File($"broken-{strategy}.qcow2");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var beyond = ImageSet.BreakQcow2L2Entry(images.Set.PathOf("qcow2-v2"), path, 7);
        var packs = PackBytes();

        var refused = await Grid.Ingest($"broken-{strategy}", path, strategy);

        Assert.Equal(IngestState.Failed, refused.State);
        Assert.Equal(IngestErrorKind.BadInput, refused.ErrorKind);
        Assert.Contains($"qcow2 L2 table entry 7 of L1 entry 0 points at 0x{beyond:x} beyond the end of the file", refused.Error);
        Assert.DoesNotContain('\n', refused.Error!);
        Assert.Null(await Grid.Image($"broken-{strategy}").GetInfo());
        Assert.Equal(packs, PackBytes());

        var status = await Grid.Image($"broken-{strategy}").StartIngest(new IngestRequest(path, strategy, Opaque: true));
        var opaque = status.State == IngestState.Running ? await Grid.WaitForIngest($"broken-{strategy}") : status;
        Assert.True(opaque.State == IngestState.Succeeded, $"{opaque.ErrorKind}: {opaque.Error}");
        var info = opaque.Image!;
        Assert.Equal("qcow2", info.Container!.Format);
        Assert.False(info.Container.FormatAware);
        var restored = fixture.Temp.File($"broken-{strategy}.restored");
        await Grid.Restore(info.Name, restored);
        TestImages.AssertSameFile(path, restored);
        await Grid.VerifyOk();
    }

    private long PackBytes()
    {
        var packs = new DirectoryInfo(Path.Combine(Grid.DataDirectory, "packs"));
        return packs.Exists ? packs.EnumerateFiles().Sum(f => f.Length) : 0;
    }
}
