using System.Text.Json;

namespace OrleansDedup.ImageFormats.Tests;

public sealed class DynamicVdiWriterTests(LayoutImages images) : IClassFixture<LayoutImages>
{
    private readonly ImageSet _set = images.Set;

    [Fact]
    public void QemuChecksTheWrittenVdiAndReadsItAsTheRawGuestDisk()
    {
        string vdi = WriteVdi(_set.Raw, "written.vdi", out long reported);

        Assert.Equal(new FileInfo(_set.Raw).Length, reported);
        var info = JsonDocument.Parse(ImageSet.Run("qemu-img", $"info --output=json -f vdi {vdi}")).RootElement;
        Assert.Equal(new FileInfo(_set.Raw).Length, info.GetProperty("virtual-size").GetInt64());
        // check verifies the block map and the allocated-block count; compare exits 0 only for the same guest contents.
        ImageSet.Run("qemu-img", $"check -f vdi {vdi}");
        ImageSet.Run("qemu-img", $"compare -f raw -F vdi {_set.Raw} {vdi}");
    }

    [Fact]
    public void ZeroBlocksAreLeftUnallocatedAndOurReaderSeesTheGuest()
    {
        // 5 MiB and a bit: data, zeros, data, zeros, zeros, a last part-block of data.
        byte[] guest = new byte[5 * DynamicVdiWriter.BlockSize + 4096];
        Random.Shared.NextBytes(guest.AsSpan(0, DynamicVdiWriter.BlockSize));
        Random.Shared.NextBytes(guest.AsSpan(2 * DynamicVdiWriter.BlockSize + 7, 100));
        Random.Shared.NextBytes(guest.AsSpan(5 * DynamicVdiWriter.BlockSize));
        string raw = Path.Combine(_set.Directory, "sparse.raw");
        File.WriteAllBytes(raw, guest);

        string vdi = WriteVdi(raw, "sparse.vdi", out _);

        using var file = File.OpenHandle(vdi);
        var layout = ImageLayoutReader.Read(file, RandomAccess.GetLength(file));
        Assert.Equal((ImageFormat.Vdi, "dynamic", guest.LongLength), (layout.Format, layout.Variant, layout.VirtualSize));
        var data = layout.Regions.Where(r => r.Kind == RegionKind.GuestData).ToArray();
        Assert.Equal([0L, 2L * DynamicVdiWriter.BlockSize, 5L * DynamicVdiWriter.BlockSize], data.Select(r => r.GuestOffset));
        Assert.Equal(data[0].FileOffset + 3L * DynamicVdiWriter.BlockSize, new FileInfo(vdi).Length); // three blocks stored
        ImageSet.Run("qemu-img", $"compare -f raw -F vdi {raw} {vdi}");
        ImageSet.Run("qemu-img", $"check -f vdi {vdi}");
    }

    private string WriteVdi(string raw, string name, out long reported)
    {
        string path = Path.Combine(_set.Directory, name);
        long sum = 0;
        using (var input = File.OpenHandle(raw))
        using (var output = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
        {
            DynamicVdiWriter.Write(input, RandomAccess.GetLength(input), output, Guid.NewGuid(), n => sum += n);
        }

        reported = sum;
        return path;
    }
}
