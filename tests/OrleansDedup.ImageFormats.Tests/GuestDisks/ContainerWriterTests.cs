using System.Text.Json;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.ImageFormats.Qcow2;
using OrleansDedup.ImageFormats.Vdi;
using OrleansDedup.ImageFormats.Vhd;
using OrleansDedup.ImageFormats.Vmdk;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.GuestDisks;

/// <summary>The container writers, checked by QEMU (info, check where it has one, compare against the raw disk) and
/// read back by this library's own readers.</summary>
public sealed class ContainerWriterTests(LayoutImages images) : IClassFixture<LayoutImages>
{
    private const int MiB = 1 << 20;
    private readonly ImageSet _set = images.Set;

    public static TheoryData<string> Formats() => ["vpc", "vdi", "qcow2", "vmdk"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void QemuChecksTheWrittenImageAndReadsItAsTheRawGuestDisk(string format)
    {
        long size = new FileInfo(_set.Raw).Length;
        string written = Write(format, _set.Raw, out long reported);

        Assert.Equal(size, reported);
        var info = JsonDocument.Parse(ImageSet.Run("qemu-img", $"info --output=json -f {format} {written}")).RootElement;
        Assert.Equal(size, info.GetProperty("virtual-size").GetInt64());
        // check verifies the tables and reference counts; compare exits 0 only for the same guest contents.
        if (format != "vpc") ImageSet.Run("qemu-img", $"check -f {format} {written}");
        ImageSet.Run("qemu-img", $"compare -f raw -F {format} {_set.Raw} {written}");
        Assert.Equal(File.ReadAllBytes(_set.Raw), GuestView(written, format));
    }

    [Theory]
    [InlineData("vdi", MiB)]
    [InlineData("qcow2", 64 * 1024)]
    [InlineData("vmdk", 64 * 1024)]
    public void AllZeroBlocksAreLeftUnallocated(string format, int block)
    {
        // 5 MiB and a bit: data, zeros, 100 bytes of data, zeros, a last part-block of data.
        byte[] guest = new byte[5 * MiB + 4096];
        Random.Shared.NextBytes(guest.AsSpan(0, 64 * 1024));
        Random.Shared.NextBytes(guest.AsSpan(2 * MiB + 7, 100));
        Random.Shared.NextBytes(guest.AsSpan(5 * MiB));
        string raw = Path.Combine(_set.Directory, $"sparse-{format}.raw");
        File.WriteAllBytes(raw, guest);

        string written = Write(format, raw, out _);

        var data = Read(written).Regions.Where(r => r.Kind == RegionKind.GuestData).ToArray();
        // Three blocks hold data, the last only its 4 KiB inside the disk.
        Assert.Equal(2L * block + 4096, data.Sum(r => r.Length));
        ImageSet.Run("qemu-img", $"check -f {format} {written}");
        ImageSet.Run("qemu-img", $"compare -f raw -F {format} {raw} {written}");
        Assert.Equal(guest, GuestView(written, format));
    }

    private string Write(string format, string raw, out long reported)
    {
        string path = Path.Combine(_set.Directory, $"{Path.GetFileNameWithoutExtension(raw)}.written.{format}");
        long sum = 0;
        if (format == "vpc")
        {
            File.Copy(raw, path, overwrite: true);
            using var output = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            reported = FixedVhdWriter.AppendFooter(output, RandomAccess.GetLength(output), Guid.NewGuid(), DateTimeOffset.UtcNow);
            return path;
        }

        using (var input = File.OpenHandle(raw))
        using (var output = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
        {
            long size = RandomAccess.GetLength(input);
            var disk = new RawGuestDisk(input, size);
            if (format == "vdi") DynamicVdiWriter.Write(disk, output, Guid.NewGuid(), n => sum += n);
            else if (format == "vmdk") Assert.Equal(size, SparseVmdkWriter.Write(disk, output, Path.GetFileName(path), n => sum += n));
            else Assert.Equal(size, Qcow2Writer.Write(disk, output, n => sum += n));
        }

        // Progress counts the raw file's data extents: all of it at most, never its holes.
        Assert.InRange(sum, 1, new FileInfo(raw).Length);
        reported = new FileInfo(raw).Length;
        return path;
    }

    /// <summary>The guest disk this library's reader finds in <paramref name="path"/>.</summary>
    private byte[] GuestView(string path, string format)
    {
        string guest = path + ".guest";
        using (var container = File.OpenHandle(path))
        using (var output = File.OpenHandle(guest, FileMode.Create, FileAccess.ReadWrite))
        {
            var layout = ImageLayoutReader.Read(container, RandomAccess.GetLength(container));
            Assert.Equal(format switch { "vpc" => ImageFormat.Vhd, "vdi" => ImageFormat.Vdi, "vmdk" => ImageFormat.Vmdk, _ => ImageFormat.Qcow2 }, layout.Format);
            GuestDiskWriter.WriteRaw(container, layout, output);
        }

        byte[] bytes = File.ReadAllBytes(guest);
        File.Delete(guest);
        return bytes;
    }

    private static ImageLayout Read(string path)
    {
        using var file = File.OpenHandle(path);
        return ImageLayoutReader.Read(file, RandomAccess.GetLength(file));
    }
}
