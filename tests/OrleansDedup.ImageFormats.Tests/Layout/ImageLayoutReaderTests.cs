using System.Buffers.Binary;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.Layout;

public sealed class ImageLayoutReaderTests(LayoutImages images) : IClassFixture<LayoutImages>
{
    private readonly ImageSet _set = images.Set;

    public static TheoryData<string> Layouts() => [.. ImageSet.Layouts.Select(layout => layout.Name)];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void DetectsTheFormatAndVariant(string name)
    {
        var expected = ImageSet.Layouts.Single(layout => layout.Name == name);

        var layout = Read(name);

        Assert.Equal(expected.Format, layout.Format);
        Assert.Equal(expected.Variant, layout.Variant);
        Assert.Equal(new FileInfo(_set.Raw).Length, layout.VirtualSize);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void RegionsCoverTheWholeFileWithoutOverlap(string name)
    {
        var layout = Read(name);

        LayoutAssert.ValidCover(layout, new FileInfo(_set.PathOf(name)).Length);
        Assert.Contains(layout.Regions, region => region.Kind != RegionKind.Metadata);
    }

    /// <summary>Compressed qcow2 is left out: qemu stores incompressible clusters plainly between compressed ones.</summary>
    public static TheoryData<string> SequentialLayouts() => [.. ImageSet.Layouts.Select(layout => layout.Name).Where(name => name != "qcow2-compressed")];

    [Theory]
    [MemberData(nameof(SequentialLayouts))]
    public void SequentialAllocationMergesIntoFewRegions(string name)
    {
        var layout = Read(name);

        Assert.True(layout.Regions.Count(r => r.Kind == RegionKind.GuestData) <= 64, $"{layout.Regions.Count} regions");
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void GuestViewEqualsTheRawImage(string name)
    {
        var layout = Read(name);
        string guest = Path.Combine(_set.Directory, name + ".guest");
        long reported = 0;
        using (var container = File.OpenHandle(_set.PathOf(name)))
        using (var output = File.OpenHandle(guest, FileMode.Create, FileAccess.ReadWrite))
        {
            GuestDiskWriter.WriteRaw(container, layout, output, n => reported += n);
        }

        Assert.Equal(layout.Regions.Where(r => r.Kind is RegionKind.GuestData or RegionKind.CompressedGuestData).Sum(r => r.Length), reported);

        byte[] raw = File.ReadAllBytes(_set.Raw);
        byte[] view = File.ReadAllBytes(guest);
        File.Delete(guest);
        Assert.Equal(layout.VirtualSize, view.Length);
        Assert.True(raw.AsSpan().SequenceEqual(view.AsSpan(0, raw.Length)), "the guest view differs from the raw image");
        Assert.True(view.AsSpan(raw.Length).IndexOfAnyExcept((byte)0) < 0, "the guest view is not zero past the raw size");
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void GuestDataRegionsHoldTheRawBytesAtTheirGuestOffsets(string name)
    {
        var layout = Read(name);
        byte[] raw = File.ReadAllBytes(_set.Raw);
        byte[] container = File.ReadAllBytes(_set.PathOf(name));

        foreach (var region in layout.Regions.Where(r => r.Kind == RegionKind.GuestData))
        {
            Assert.True(
                container.AsSpan((int)region.FileOffset, (int)region.Length).SequenceEqual(raw.AsSpan((int)region.GuestOffset, (int)region.Length)),
                $"region at 0x{region.FileOffset:x} is not guest 0x{region.GuestOffset:x}");
        }
    }

    /// <summary>Tables are read into pooled buffers: what a read allocates is the region list and little else.</summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public void ReadingALayoutAllocatesLittleBeyondItsRegions(string name)
    {
        using var file = File.OpenHandle(_set.PathOf(name));
        long length = RandomAccess.GetLength(file);
        ImageLayoutReader.Read(file, length);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var layout = ImageLayoutReader.Read(file, length);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 8192 + 256 * layout.Regions.Count, $"{allocated} bytes for {layout.Regions.Count} regions");
    }

    [Fact]
    public void CompressedClustersAndGrainsAreTheirOwnRegions()
    {
        foreach (var name in new[] { "qcow2-compressed", "vmdk-streamOptimized" })
        {
            var layout = Read(name);

            Assert.Contains(layout.Regions, region => region.Kind == RegionKind.CompressedGuestData);
            Assert.NotEqual(GuestCompression.None, layout.Compression);
        }
    }

    [Fact]
    public void GuestViewOfAFixedDiskKeepsItsZerosSparse()
    {
        var layout = Read("vhd-fixed");
        string guest = Path.Combine(_set.Directory, "vhd-fixed.sparse");
        using (var container = File.OpenHandle(_set.PathOf("vhd-fixed")))
        using (var output = File.OpenHandle(guest, FileMode.Create, FileAccess.ReadWrite))
        {
            GuestDiskWriter.WriteRaw(container, layout, output);
        }

        long viewBlocks = long.Parse(ImageSet.Run("stat", $"-c %b {guest}"));
        long rawBlocks = long.Parse(ImageSet.Run("stat", $"-c %b {_set.Raw}"));
        File.Delete(guest);
        Assert.InRange(viewBlocks * 512, 1, rawBlocks * 512 + (1 << 20));
    }

    /// <summary>
    /// One-pass writers such as VMware's put the grain directory after the grains and say so with
    /// gdOffset = -1 in the header; the real one is in a footer before the end-of-stream marker.
    /// </summary>
    [Fact]
    public void StreamOptimizedWithItsGrainDirectoryAtTheEndReadsTheFooter()
    {
        byte[] image = File.ReadAllBytes(_set.PathOf("vmdk-streamOptimized"));
        byte[] footerMarker = new byte[512];
        BinaryPrimitives.WriteUInt64LittleEndian(footerMarker, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(footerMarker.AsSpan(12), 3);
        byte[] moved = [.. image, .. footerMarker, .. image.AsSpan(0, 512), .. new byte[512]];
        BinaryPrimitives.WriteUInt64LittleEndian(moved.AsSpan(56), ulong.MaxValue);
        string path = Path.Combine(_set.Directory, "footer.vmdk");
        File.WriteAllBytes(path, moved);

        using var file = File.OpenHandle(path);
        var layout = ImageLayoutReader.Read(file, moved.Length);
        File.Delete(path);

        Assert.Equal(Read("vmdk-streamOptimized").Regions.Where(r => r.Kind != RegionKind.Metadata), layout.Regions.Where(r => r.Kind != RegionKind.Metadata));
        LayoutAssert.ValidCover(layout, moved.Length);
    }

    [Fact]
    public void Qcow2WithAnInternalSnapshotMapsItsActiveTables()
    {
        string path = Path.Combine(_set.Directory, "snapshot.qcow2");
        File.Copy(_set.PathOf("qcow2-v3"), path, overwrite: true);
        ImageSet.Run("qemu-img", $"snapshot -c before {path}");

        using var file = File.OpenHandle(path);
        var layout = ImageLayoutReader.Read(file, RandomAccess.GetLength(file));
        var guestData = layout.Regions.Where(r => r.Kind == RegionKind.GuestData).Sum(r => r.Length);

        LayoutAssert.ValidCover(layout, RandomAccess.GetLength(file));
        Assert.Equal(Read("qcow2-v3").Regions.Where(r => r.Kind == RegionKind.GuestData).Sum(r => r.Length), guestData);
    }

    [Fact]
    public void EmptyFileIsAnEmptyRawDisk()
    {
        string path = Path.Combine(_set.Directory, "empty.img");
        File.WriteAllBytes(path, []);
        using var file = File.OpenHandle(path);

        var layout = ImageLayoutReader.Read(file, 0);

        Assert.Equal(ImageFormat.Raw, layout.Format);
        Assert.Equal(0, layout.VirtualSize);
        Assert.Empty(layout.Regions);
    }

    [Fact]
    public void RawIsWhateverIsNotRecognised()
    {
        var layout = Read("raw");

        Assert.Equal(ImageFormat.Raw, layout.Format);
        Assert.Equal(new ImageRegion(0, layout.FileLength, RegionKind.GuestData, 0), Assert.Single(layout.Regions));
    }

    private ImageLayout Read(string name)
    {
        using var file = File.OpenHandle(_set.PathOf(name));
        return ImageLayoutReader.Read(file, RandomAccess.GetLength(file));
    }
}
