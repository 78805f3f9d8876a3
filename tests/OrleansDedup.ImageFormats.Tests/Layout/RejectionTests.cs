using System.Buffers.Binary;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.Layout;

/// <summary>Unsupported and damaged images are refused with one line that names the bad field or table entry.</summary>
public sealed class RejectionTests(FuzzImages images) : IClassFixture<FuzzImages>, IDisposable
{
    private readonly ImageSet _set = images.Set;
    private readonly string _directory = Directory.CreateTempSubdirectory("image-rejections-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Qcow2WithABackingFileIsRefused()
    {
        string overlay = Path.Combine(_directory, "overlay.qcow2");
        ImageSet.Run("qemu-img", $"create -f qcow2 -b {_set.PathOf("qcow2-v3")} -F qcow2 {overlay}");

        Assert.Contains("backing file", Refusal(overlay));
    }

    [Fact]
    public void EncryptedQcow2IsRefused()
    {
        string encrypted = Path.Combine(_directory, "encrypted.qcow2");
        ImageSet.Run("qemu-img", $"create -f qcow2 --object secret,id=s0,data=secret -o encrypt.format=aes,encrypt.key-secret=s0 {encrypted} 8M");

        Assert.Contains("is encrypted", Refusal(encrypted));
    }

    [Fact]
    public void Qcow2L2EntryPastTheEndIsNamed()
    {
        string path = Copy("qcow2-v3");
        byte[] image = File.ReadAllBytes(path);
        long l2 = (long)(BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan((int)BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(40)))) & 0x00FFFFFFFFFFFE00);
        long beyond = (image.Length / 65536 + 16) * 65536L;
        BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan((int)l2 + 12 * 8), (1UL << 63) | (ulong)beyond);
        File.WriteAllBytes(path, image);

        Assert.Equal($"qcow2 L2 table entry 12 of L1 entry 0 points at 0x{beyond:x} beyond the end of the file ({image.Length} bytes)", Refusal(path));
    }

    [Fact]
    public void Qcow2ClusterMappedTwiceIsAnOverlap()
    {
        string path = Copy("qcow2-v2");
        byte[] image = File.ReadAllBytes(path);
        int l2 = (int)(BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan((int)BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(40)))) & 0x00FFFFFFFFFFFE00);
        int first = Enumerable.Range(0, 8192).First(j => BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(l2 + j * 8)) != 0);
        int hole = Enumerable.Range(first, 8192 - first).First(j => BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(l2 + j * 8)) == 0);
        image.AsSpan(l2 + first * 8, 8).CopyTo(image.AsSpan(l2 + hole * 8));
        File.WriteAllBytes(path, image);

        Assert.Contains("overlaps", Refusal(path));
    }

    [Fact]
    public void VmdkTextDescriptorIsRefused()
    {
        string descriptor = Path.Combine(_directory, "split.vmdk");
        ImageSet.Run("qemu-img", $"create -f vmdk -o subformat=twoGbMaxExtentSparse {descriptor} 8M");

        Assert.Contains("text descriptor", Refusal(descriptor));
    }

    [Fact]
    public void DifferencingVhdIsRefused()
    {
        string path = Copy("vhd-dynamic");
        byte[] image = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(60), 4);
        BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(image.Length - 512 + 60), 4);
        File.WriteAllBytes(path, image);

        Assert.Contains("differencing", Refusal(path));
    }

    [Fact]
    public void VdiBlockUsedTwiceIsAnOverlap()
    {
        string path = Copy("vdi-fixed");
        byte[] image = File.ReadAllBytes(path);
        int map = BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(0x154));
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(map + 4), 0);
        File.WriteAllBytes(path, image);

        Assert.Contains("overlaps", Refusal(path));
    }

    [Theory]
    [InlineData("qcow2-v3")]
    [InlineData("vmdk-monolithicSparse")]
    [InlineData("vhd-dynamic")]
    [InlineData("vdi-dynamic")]
    public void TruncatedImageIsRefused(string name)
    {
        string path = Copy(name);
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, RandomAccess.GetLength(file) / 2);
        }

        Assert.Contains("beyond the end of the file", Refusal(path));
    }

    [Fact]
    public void ZstdClustersAreMappedButNotInflated()
    {
        string path = Path.Combine(_directory, "zstd.qcow2");
        ImageSet.Run("qemu-img", $"convert -f raw -c -O qcow2 -o compression_type=zstd {_set.Raw} {path}");
        using var file = File.OpenHandle(path);
        var layout = ImageLayoutReader.Read(file, RandomAccess.GetLength(file));
        using var output = File.OpenHandle(Path.Combine(_directory, "zstd.raw"), FileMode.Create, FileAccess.ReadWrite);

        Assert.Equal(GuestCompression.Zstd, layout.Compression);
        Assert.Contains("Zstd", Assert.Throws<ImageFormatException>(() => GuestDiskWriter.WriteRaw(file, layout, output)).Message);
    }

    private string Copy(string name)
    {
        string path = Path.Combine(_directory, name + ".img");
        File.Copy(_set.PathOf(name), path, overwrite: true);
        return path;
    }

    private static string Refusal(string path)
    {
        using var file = File.OpenHandle(path);
        var error = Assert.Throws<ImageFormatException>(() => ImageLayoutReader.Read(file, RandomAccess.GetLength(file)));
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }
}
