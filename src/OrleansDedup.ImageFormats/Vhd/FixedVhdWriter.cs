using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.GuestDisks;

namespace OrleansDedup.ImageFormats.Vhd;

/// <summary>
/// Turns a raw guest disk into a fixed VHD (Microsoft's Virtual Hard Disk Image Format Specification): the guest data
/// as it is, padded to whole sectors, followed by a 512-byte footer: the one container format that needs no tables.
/// </summary>
internal static class FixedVhdWriter
{
    private const int Sector = 512;
    private const uint FixedDisk = 2;

    /// <summary>Pads <paramref name="output"/>, which holds <paramref name="guestSize"/> bytes of raw guest disk, to whole
    /// sectors and appends the footer; returns the guest size the footer records.</summary>
    /// <exception cref="FormatLimitException">The disk is larger than <see cref="GuestDiskLimits.Vhd"/>.</exception>
    public static long AppendFooter(SafeFileHandle output, long guestSize, Guid uniqueId, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(output);
        GuestDiskLimits.Check(ImageFormat.Vhd, guestSize);
        long size = (guestSize + Sector - 1) / Sector * Sector;
        RandomAccess.SetLength(output, size);
        RandomAccess.Write(output, Footer(size, uniqueId, created), size);
        return size;
    }

    public static byte[] Footer(long size, Guid uniqueId, DateTimeOffset created)
    {
        if (size < 0 || size % Sector != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "a VHD holds whole sectors");
        var footer = new byte[Sector];
        var f = footer.AsSpan();
        VhdReader.FooterCookie.CopyTo(f);
        BinaryPrimitives.WriteUInt32BigEndian(f[8..], 2); // features: the reserved bit, always set
        BinaryPrimitives.WriteUInt32BigEndian(f[12..], 0x00010000); // file format version 1.0
        BinaryPrimitives.WriteUInt64BigEndian(f[16..], ulong.MaxValue); // data offset: none, for a fixed disk
        BinaryPrimitives.WriteUInt32BigEndian(f[24..], (uint)Math.Clamp((created - new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds, 0, uint.MaxValue));
        // Creator "win " (Hyper-V): readers take the footer's current size as the disk size only from creators they
        // know to mean it (QEMU derives the size of others from the CHS geometry, which rounds it down).
        "win "u8.CopyTo(f[28..]);
        BinaryPrimitives.WriteUInt32BigEndian(f[32..], 0x000a0000);
        "Wi2k"u8.CopyTo(f[36..]);
        BinaryPrimitives.WriteUInt64BigEndian(f[40..], (ulong)size); // original size
        BinaryPrimitives.WriteUInt64BigEndian(f[48..], (ulong)size); // current size
        BinaryPrimitives.WriteUInt32BigEndian(f[56..], Geometry(size / Sector));
        BinaryPrimitives.WriteUInt32BigEndian(f[60..], FixedDisk);
        uniqueId.TryWriteBytes(f.Slice(68, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(f[64..], Checksum(footer));
        return footer;
    }

    /// <summary>One's complement of the byte sum, the checksum field counted as zero.</summary>
    public static uint Checksum(ReadOnlySpan<byte> footer)
    {
        uint sum = 0;
        for (int i = 0; i < footer.Length; i++)
        {
            if (i is < 64 or >= 68) sum += footer[i];
        }

        return ~sum;
    }

    /// <summary>The specification's CHS geometry for a disk of <paramref name="sectors"/> sectors: cylinders (16 bits),
    /// heads and sectors per track (8 bits each).</summary>
    private static uint Geometry(long sectors)
    {
        long total = Math.Min(sectors, 65535L * 16 * 255);
        long sectorsPerTrack, heads, cylinderTimesHeads;
        if (total >= 65535L * 16 * 63)
        {
            sectorsPerTrack = 255;
            heads = 16;
            cylinderTimesHeads = total / sectorsPerTrack;
        }
        else
        {
            sectorsPerTrack = 17;
            cylinderTimesHeads = total / sectorsPerTrack;
            heads = Math.Max(4, (cylinderTimesHeads + 1023) / 1024);
            if (cylinderTimesHeads >= heads * 1024 || heads > 16)
            {
                sectorsPerTrack = 31;
                heads = 16;
                cylinderTimesHeads = total / sectorsPerTrack;
            }

            if (cylinderTimesHeads >= heads * 1024)
            {
                sectorsPerTrack = 63;
                heads = 16;
                cylinderTimesHeads = total / sectorsPerTrack;
            }
        }

        return (uint)(cylinderTimesHeads / heads) << 16 | (uint)heads << 8 | (uint)sectorsPerTrack;
    }
}
