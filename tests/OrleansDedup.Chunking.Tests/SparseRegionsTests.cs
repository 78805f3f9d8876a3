namespace OrleansDedup.Chunking.Tests;

public sealed class SparseRegionsTests : IDisposable
{
    private const int MiB = 1 << 20;
    private readonly string _directory = Directory.CreateTempSubdirectory("sparse-regions-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void HolesAreLeftOut()
    {
        using var file = CreateSparseFile();

        var regions = SparseRegions.DataRegions(file, 0, 16 * MiB);

        AssertOrderedAndWithin(regions, 0, 16 * MiB);
        AssertCovered(regions, 1 * MiB, 4096);
        AssertCovered(regions, 9 * MiB, 4096);
        Assert.True(regions.Sum(region => region.Length) < 4 * MiB, "most of the file is a hole");
    }

    [Fact]
    public void RegionsAreClippedToTheRange()
    {
        using var file = CreateSparseFile();
        long start = 1 * MiB + 1000, end = 9 * MiB + 100;

        var regions = SparseRegions.DataRegions(file, start, end);

        AssertOrderedAndWithin(regions, start, end);
        Assert.Equal(start, regions[0].Offset);
        Assert.Equal(end, regions[^1].Offset + regions[^1].Length);
    }

    [Fact]
    public void RangeInsideAHoleHasNoData()
    {
        using var file = CreateSparseFile();

        Assert.Empty(SparseRegions.DataRegions(file, 4 * MiB, 8 * MiB));
        Assert.Empty(SparseRegions.DataRegions(file, 12 * MiB, 16 * MiB));
    }

    [Fact]
    public void FullyWrittenFileIsOneRegion()
    {
        string path = Path.Combine(_directory, "full.img");
        File.WriteAllBytes(path, TestData.Random(3 * MiB, seed: 1));
        using var file = File.OpenHandle(path);

        Assert.Equal([(0L, 3L * MiB)], SparseRegions.DataRegions(file, 0, 3 * MiB));
    }

    [Fact]
    public void InvalidRangesAreRejected()
    {
        using var file = CreateSparseFile();

        Assert.Throws<ArgumentOutOfRangeException>(() => SparseRegions.DataRegions(file, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseRegions.DataRegions(file, 10, 5));
        Assert.Empty(SparseRegions.DataRegions(file, 7, 7));
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle CreateSparseFile()
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.img");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(16 * MiB);
            byte[] block = TestData.Random(4096, seed: 2);
            stream.Position = 1 * MiB;
            stream.Write(block);
            stream.Position = 9 * MiB;
            stream.Write(block);
        }

        return File.OpenHandle(path);
    }

    private static void AssertOrderedAndWithin(IReadOnlyList<(long Offset, long Length)> regions, long start, long end)
    {
        Assert.NotEmpty(regions);
        Assert.All(regions, region => Assert.True(region.Length > 0));
        Assert.True(regions[0].Offset >= start);
        Assert.True(regions[^1].Offset + regions[^1].Length <= end);
        for (int i = 1; i < regions.Count; i++)
        {
            Assert.True(regions[i - 1].Offset + regions[i - 1].Length < regions[i].Offset, "regions must be merged and ordered");
        }
    }

    private static void AssertCovered(IReadOnlyList<(long Offset, long Length)> regions, long offset, long length) =>
        Assert.Contains(regions, region => region.Offset <= offset && offset + length <= region.Offset + region.Length);
}
