using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>
/// The largest disk each written format holds, as QEMU (the reader `qemu-img check` trusts) creates and opens them,
/// checked before any output file is made; and the file system's own limit, met when the output is sized.
/// </summary>
public static class GuestDiskLimits
{
    /// <summary>qcow2 with 64 KiB clusters: QEMU's L1 table holds at most 32 MiB of entries, each mapping 512 MiB.</summary>
    public const long Qcow2 = 4L << 20 << 29;

    /// <summary>monolithicSparse VMDK with 64 KiB grains: QEMU opens at most 32 Mi grain directory entries of 32 MiB each.</summary>
    public const long Vmdk = 32L << 20 << 25;

    /// <summary>Dynamic VDI with 1 MiB blocks: QEMU's limit, 0x1fffff80 blocks (a block map that fits 2 GiB).</summary>
    public const long Vdi = 0x1fffff80L << 20;

    /// <summary>VHD: 2040 GiB (0xff000000 sectors), the limit of Microsoft's specification that QEMU and Hyper-V keep.</summary>
    public const long Vhd = 0xff000000L * 512;

    private const int FileTooLarge = 27; // EFBIG

    /// <summary>The largest guest disk <paramref name="format"/> holds; raw has only its file system's limit.</summary>
    public static long MaxSize(ImageFormat format) => format switch
    {
        ImageFormat.Qcow2 => Qcow2,
        ImageFormat.Vmdk => Vmdk,
        ImageFormat.Vdi => Vdi,
        ImageFormat.Vhd => Vhd,
        _ => long.MaxValue,
    };

    /// <exception cref="FormatLimitException">The format cannot hold a disk of <paramref name="size"/> bytes.</exception>
    public static void Check(ImageFormat format, long size)
    {
        if (size > MaxSize(format))
            throw new FormatLimitException($"{Describe(format)}; this disk is {Bytes(size)}");
    }

    /// <summary>Sets the length of a file that holds a disk at its offsets (raw, fixed VHD): a hole, no data written.</summary>
    /// <exception cref="FormatLimitException">The file system refuses a file that large (EFBIG).</exception>
    public static void SetLength(SafeFileHandle file, long length, string path)
    {
        try
        {
            RandomAccess.SetLength(file, length);
        }
        catch (Exception e) when (e is IOException { HResult: FileTooLarge } or ArgumentOutOfRangeException && length >= 0)
        {
            // .NET reports EFBIG from ftruncate as an argument out of range ("too large for the file system").
            throw new FormatLimitException($"the file system holding {Path.GetDirectoryName(path)} cannot hold a file of {Bytes(length)} (EFBIG)", e);
        }
    }

    /// <summary>Creates <paramref name="path"/> with <paramref name="length"/> bytes of hole and deletes it again: whether
    /// the file system takes a file that large, known before any work is done.</summary>
    public static void Probe(string path, long length)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
            SetLength(file, length, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Describe(ImageFormat format) => format switch
    {
        ImageFormat.Qcow2 => $"a qcow2 image (64 KiB clusters) holds at most 2 PiB ({Qcow2} bytes)",
        ImageFormat.Vmdk => $"a monolithicSparse VMDK (64 KiB grains) holds at most 1 PiB ({Vmdk} bytes)",
        ImageFormat.Vdi => $"a dynamic VDI (1 MiB blocks) holds at most 512 TiB less 128 MiB ({Vdi} bytes)",
        _ => $"a VHD holds at most 2040 GiB ({Vhd} bytes)",
    };

    private static string Bytes(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} bytes" : $"{value:0.##} {units[unit]} ({bytes} bytes)";
    }
}
