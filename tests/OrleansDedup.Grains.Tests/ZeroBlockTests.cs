using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Zero blocks are recorded as zero runs, never stored; holes of a sparse image stay holes on restore.</summary>
public sealed class ZeroBlockTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    private Grid Grid => fixture.Grid;

    [Theory]
    [InlineData(ChunkingStrategy.Fixed)]
    [InlineData(ChunkingStrategy.Rabin)]
    [InlineData(ChunkingStrategy.Adaptive)]
    public async Task Half_zero_image_stores_only_its_data(ChunkingStrategy strategy)
    {
        // unique random files and zero regions, about half and half, over 3 segments; the tail block is data
        const int size = 2 * Grid.SegmentSize + 300 * 1024 + 1000;
        var data = TestImages.Disk(seed: 500 + (int)strategy, size, zeroShare: 0.5, repeatShare: 0);
        new Random(1).NextBytes(data.AsSpan(size - 1000));
        var zeroBlocks = Enumerable.Range(0, size / 4096).Count(b => !data.AsSpan(b * 4096, 4096).ContainsAnyExcept((byte)0));
        var zeroBytes = zeroBlocks * 4096L;
        var dataBytes = size - zeroBytes;
        Assert.InRange(zeroBytes, size * 0.35, size * 0.65);
        var path = TestImages.Write(fixture.Temp.File($"half-zero-{strategy}.img"), data);
        var packBefore = Grid.Store.TotalBytes();

        var info = await Grid.IngestOk($"half-zero-{strategy}", path, strategy);

        Assert.Equal(zeroBytes, info.Stats.ZeroBytes);
        Assert.Equal(zeroBlocks, info.Stats.ZeroChunks);
        Assert.Equal(dataBytes, info.Stats.NewBytes + info.Stats.DuplicateBytes);
        // the packs grew by the data and its record headers, and by nothing for the zeros
        var packGrowth = Grid.Store.TotalBytes() - packBefore;
        Assert.InRange(packGrowth, dataBytes, dataBytes * 1.02 + 4096);
        Assert.InRange(info.Stats.StoredChunkBytes, dataBytes, dataBytes * 1.02);

        var output = fixture.Temp.File($"half-zero-{strategy}.restored");
        await Grid.Restore($"half-zero-{strategy}", output);
        TestImages.AssertSameBytes(data, output);
    }

    [Theory]
    [InlineData(ChunkingStrategy.Fixed)]
    [InlineData(ChunkingStrategy.Adaptive)]
    public async Task Sparse_image_restores_sparse(ChunkingStrategy strategy)
    {
        const long length = 7L * Grid.SegmentSize + 777;
        (long, int)[] regions = [(0, 64 * 1024), (Grid.SegmentSize + 4096, 128 * 1024), (3L * Grid.SegmentSize + 12345, 5000), (length - 3000, 3000)];
        var path = TestImages.WriteSparse(fixture.Temp.File($"sparse-{strategy}.img"), length, regions, seed: 520 + (int)strategy);
        Assert.True(TestImages.AllocatedBytes(path) < length / 4, "the test file system keeps the source sparse");
        var packBefore = Grid.Store.TotalBytes();

        var info = await Grid.IngestOk($"sparse-{strategy}", path, strategy);

        Assert.Equal(length, info.Size);
        var dataBlocksBound = regions.Sum(r => r.Item2 + 2 * 4096L);
        Assert.True(info.Stats.ZeroBytes >= length - dataBlocksBound, $"zero bytes {info.Stats.ZeroBytes}");
        Assert.True(Grid.Store.TotalBytes() - packBefore <= dataBlocksBound * 1.02);

        var output = fixture.Temp.File($"sparse-{strategy}.restored");
        await Grid.Restore($"sparse-{strategy}", output, silo: 1);
        Assert.Equal(length, new FileInfo(output).Length);
        TestImages.AssertSameFile(path, output);
        var allocated = TestImages.AllocatedBytes(output);
        Assert.True(allocated < length / 4, $"the restored image has {allocated} bytes allocated of {length}: its holes were filled");
    }
}
