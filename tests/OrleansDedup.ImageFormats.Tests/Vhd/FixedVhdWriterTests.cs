using System.Buffers.Binary;
using System.Text.Json;
using OrleansDedup.ImageFormats.Vhd;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.Vhd;

/// <summary>The footer in detail; <see cref="GuestDisks.ContainerWriterTests"/> checks the whole file with qemu-img.</summary>
public sealed class FixedVhdWriterTests(LayoutImages images) : IClassFixture<LayoutImages>
{
    private readonly ImageSet _set = images.Set;

    [Fact]
    public void TheFooterAgreesWithQemusForTheSameDisk()
    {
        byte[] ours = FixedVhdWriter.Footer(new FileInfo(_set.Raw).Length, Guid.NewGuid(), DateTimeOffset.UtcNow);
        byte[] qemus = File.ReadAllBytes(_set.PathOf("vhd-fixed"))[^512..];

        // Cookie, features, version, data offset; sizes and disk type. Time, creator and id differ, and so does the
        // geometry: with force_size QEMU writes the maximum CHS as its mark that the size is the footer's.
        Assert.Equal(qemus[..24], ours[..24]);
        Assert.Equal(qemus[40..56], ours[40..56]);
        Assert.Equal(qemus[60..64], ours[60..64]);
        // The specification's geometry for 32 MiB (65,536 sectors): 17 sectors per track, 4 heads, 963 cylinders.
        Assert.Equal(32 << 20, new FileInfo(_set.Raw).Length);
        Assert.Equal((963, 4, 17), (BinaryPrimitives.ReadUInt16BigEndian(ours.AsSpan(56)), ours[58], ours[59]));
        Assert.Equal(FixedVhdWriter.Checksum(qemus), BinaryPrimitives.ReadUInt32BigEndian(qemus.AsSpan(64)));
        Assert.Equal(FixedVhdWriter.Checksum(ours), BinaryPrimitives.ReadUInt32BigEndian(ours.AsSpan(64)));
    }

    [Fact]
    public void AGuestOfPartSectorsIsPaddedWithZeros()
    {
        byte[] guest = new byte[3 * 512 + 100];
        Random.Shared.NextBytes(guest);
        string vhd = WriteVhd(guest, "odd.vhd");

        byte[] written = File.ReadAllBytes(vhd);
        Assert.Equal(4 * 512 + 512, written.Length);
        Assert.Equal(guest, written[..guest.Length]);
        Assert.True(written.AsSpan(guest.Length, 4 * 512 - guest.Length).IndexOfAnyExcept((byte)0) < 0);
        var info = JsonDocument.Parse(ImageSet.Run("qemu-img", $"info --output=json -f vpc {vhd}")).RootElement;
        Assert.Equal(4 * 512, info.GetProperty("virtual-size").GetInt64());
    }

    private string WriteVhd(byte[] guest, string name)
    {
        string path = Path.Combine(_set.Directory, name);
        File.WriteAllBytes(path, guest);
        using var output = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        Assert.Equal((guest.Length + 511) / 512 * 512, FixedVhdWriter.AppendFooter(output, guest.Length, Guid.NewGuid(), DateTimeOffset.UtcNow));
        return path;
    }
}
