using System.Buffers.Binary;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.Layout;

/// <summary>
/// The crafted files of issue 14, each read at a small size and scaled up: a file is refused with one line or mapped,
/// and what reading it allocates is bounded by the file's length, never by what its tables claim.
/// </summary>
public sealed class HostileLayoutTests : IDisposable
{
    private const long Small = 4 << 20, Scaled = 32 << 20;
    private readonly string _directory = Directory.CreateTempSubdirectory("hostile-layouts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Qcow2L1EntriesSharingAnL2TableAreRefusedAtTheSecondEntry()
    {
        foreach (long size in new[] { Small, Scaled })
        {
            var (error, allocated) = Refused(Build(size, p => HostileImages.SameL2Qcow2(p, size)));

            Assert.Equal("qcow2 L1 entry 1 points at the L2 table at 0x20000, which L1 entry 0 already uses", error);
            Assert.InRange(allocated, 0, 2 << 20);
        }
    }

    [Fact]
    public void VmdkGrainDirectoryEntriesSharingAGrainTableAreRefusedAtTheSecondEntry()
    {
        foreach (long size in new[] { Small, Scaled })
        {
            var (error, allocated) = Refused(Build(size, p => HostileImages.SameGrainTableVmdk(p, size)));

            Assert.Equal($"VMDK grain directory entry 1 points at the grain table at 0x{size - 512:x}, which grain directory entry 0 already uses", error);
            Assert.InRange(allocated, 0, 2 << 20);
        }
    }

    [Fact]
    public void Qcow2PackedWithOneByteClustersIsRefusedWithinABudgetOfItsSize()
    {
        long[] allocations = new long[2];
        long[] lengths = new long[2];
        for (int i = 0; i < 2; i++)
        {
            long size = i == 0 ? Small : Scaled;
            string path = Build(size, p => HostileImages.PackedCompressedQcow2(p, size / 9, inflatable: false));
            lengths[i] = new FileInfo(path).Length;
            (string error, allocations[i]) = Refused(path);

            Assert.Contains($"more than a file of {lengths[i]} bytes can hold", error);
        }

        AssertGrowsWithTheFile(allocations, lengths);
    }

    [Fact]
    public void Qcow2PackedWithSmallDeflatedClustersMapsInWorkProportionalToItsSize()
    {
        long[] allocations = new long[2];
        long[] lengths = new long[2];
        for (int i = 0; i < 2; i++)
        {
            long clusters = (i == 0 ? Small : Scaled) / 40;
            string path = Build(clusters, p => HostileImages.PackedCompressedQcow2(p, clusters, inflatable: true));
            lengths[i] = new FileInfo(path).Length;
            (var layout, allocations[i]) = Mapped(path);

            Assert.Equal(clusters, layout.Regions.Count(r => r.Kind == RegionKind.CompressedGuestData));
            Assert.Equal(clusters << 16, layout.VirtualSize);
        }

        AssertGrowsWithTheFile(allocations, lengths);
    }

    [Fact]
    public void ABudgetBelowWhatTheClustersNeedRefusesTheFile()
    {
        string path = Build(Small, p => HostileImages.PackedCompressedQcow2(p, Small / 40, inflatable: true));
        using var file = File.OpenHandle(path);

        var error = Assert.Throws<ImageFormatException>(() => ImageLayoutReader.Read(file, RandomAccess.GetLength(file), new LayoutBudget(0.1, 0)));
        Assert.Contains("can hold", error.Message);
    }

    [Fact]
    public void ThinQcow2Of100TiBMapsByItsL1TableAlone()
    {
        foreach (string size in new[] { "1T", "100T" })
        {
            string path = Path.Combine(_directory, $"thin-{size}.qcow2");
            HostileImages.ThinQcow2(path, size);
            var (layout, allocated) = Mapped(path);

            Assert.Equal(size == "1T" ? 1L << 40 : 100L << 40, layout.VirtualSize);
            Assert.All(layout.Regions, r => Assert.Equal(RegionKind.Metadata, r.Kind));
            Assert.InRange(allocated, 0, 1 << 20);
        }
    }

    [Fact]
    public void VirtualSizeOf2To56MapsAndOneByteMoreIsRefused()
    {
        string path = Path.Combine(_directory, "huge.qcow2");
        HostileImages.HugeVirtualSizeQcow2(path, 1L << 56);
        var (layout, allocated) = Mapped(path);
        Assert.Equal(1L << 56, layout.VirtualSize);
        // The pooled buffer of one 2 MiB L2 table, whatever the virtual size.
        Assert.InRange(allocated, 0, 3 << 20);

        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var size = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(size, (1UL << 56) + 1);
            RandomAccess.Write(file, size, 24);
        }

        Assert.Equal($"qcow2 header virtual size {(1UL << 56) + 1} exceeds {1L << 56}", Refused(path).Error);
    }

    /// <summary>Allocation per file byte stays within a small constant and does not climb with the scale.</summary>
    private static void AssertGrowsWithTheFile(long[] allocations, long[] lengths)
    {
        for (int i = 0; i < 2; i++)
        {
            Assert.InRange(allocations[i], 0, 5 * lengths[i] + (4 << 20));
        }

        double small = (double)allocations[0] / lengths[0], scaled = (double)allocations[1] / lengths[1];
        Assert.True(scaled <= small * 1.5 + 0.5, $"{allocations[1]} bytes allocated for {lengths[1]} against {allocations[0]} for {lengths[0]}");
    }

    private string Build(long size, Action<string> build)
    {
        string path = Path.Combine(_directory, $"crafted-{size}-{Guid.NewGuid():N}");
        build(path);
        return path;
    }

    private static (ImageLayout Layout, long Allocated) Mapped(string path)
    {
        using var file = File.OpenHandle(path);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var layout = ImageLayoutReader.Read(file, RandomAccess.GetLength(file));
        return (layout, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (string Error, long Allocated) Refused(string path)
    {
        using var file = File.OpenHandle(path);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageFormatException>(() => ImageLayoutReader.Read(file, RandomAccess.GetLength(file)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.DoesNotContain('\n', error.Message);
        return (error.Message, allocated);
    }
}
