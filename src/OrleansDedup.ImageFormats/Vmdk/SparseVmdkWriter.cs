using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.GuestDisks;

namespace OrleansDedup.ImageFormats.Vmdk;

/// <summary>
/// Writes a raw guest disk as a monolithicSparse VMDK (VMware's Virtual Disk Format 5.0, hosted sparse extent) in one
/// pass over its data: header, embedded descriptor and grain directory, then for each 32 MiB of guest disk that holds
/// data its 64 KiB grains in guest order followed by its grain table. All-zero grains stay unallocated, and so do the
/// grain tables that would map none (a zero directory entry, which QEMU and VirtualBox read as all unallocated): the
/// file and the work follow the data, not the capacity. One grain table is in memory at a time.
/// </summary>
internal static class SparseVmdkWriter
{
    public const int GrainSize = 64 << 10;

    private const int Sector = 512;
    private const int GrainSectors = GrainSize / Sector;
    private const int TableEntries = 512;
    private const int TableSectors = TableEntries * 4 / Sector;
    private const int DescriptorSector = 1;
    private const int DescriptorSectors = 20;
    private const uint NewLineDetection = 1;

    /// <summary>Writes the VMDK of <paramref name="disk"/> (its size rounded up to whole sectors) to
    /// <paramref name="output"/>, truncated first; <paramref name="extentName"/> is the file name the descriptor gives its
    /// one extent: the output's own. Returns the capacity it records, in bytes. <paramref name="progress"/> receives the
    /// bytes of the disk's data extents as they are read.</summary>
    /// <exception cref="FormatLimitException">The disk is larger than <see cref="GuestDiskLimits.Vmdk"/>, or its data
    /// more than the grain tables' 32-bit sector offsets reach (2 TiB of file).</exception>
    public static long Write(IGuestDisk disk, SafeFileHandle output, string extentName, Action<long>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(output);
        long size = disk.Size;
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        GuestDiskLimits.Check(ImageFormat.Vmdk, size);
        long capacity = (size + Sector - 1) / Sector;
        long grains = (capacity + GrainSectors - 1) / GrainSectors;
        long tables = (grains + TableEntries - 1) / TableEntries;
        long directorySector = DescriptorSector + DescriptorSectors;
        long directorySectors = (tables * 4 + Sector - 1) / Sector;
        long overhead = (directorySector + directorySectors + GrainSectors - 1) / GrainSectors * GrainSectors;

        RandomAccess.SetLength(output, 0);
        RandomAccess.Write(output, Header(capacity, directorySector, overhead), 0);
        RandomAccess.Write(output, Descriptor(capacity, extentName), DescriptorSector * Sector);
        long end = WriteGrains(disk, output, directorySector, overhead, progress, cancellation);
        RandomAccess.SetLength(output, end * Sector);
        return capacity * Sector;
    }

    /// <summary>Writes the grains with data from sector <paramref name="next"/> on, each grain table after its grains
    /// and its directory entry; returns the sector after the last one written.</summary>
    private static long WriteGrains(IGuestDisk disk, SafeFileHandle output, long directorySector, long next, Action<long>? progress,
        CancellationToken cancellation)
    {
        var table = new byte[TableEntries * 4];
        var entry = new byte[4];
        long current = -1;
        DataBlocks.Scan(disk, GrainSize, progress, cancellation, (g, data) =>
        {
            if (data.IsEmpty) return;
            if (g / TableEntries != current)
            {
                Flush();
                current = g / TableEntries;
            }

            RandomAccess.Write(output, data, Reserve(GrainSectors) * Sector);
            BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan((int)(g % TableEntries) * 4), (uint)(next - GrainSectors));
        });
        Flush();
        return next;

        void Flush()
        {
            if (current < 0) return;
            long at = Reserve(TableSectors);
            RandomAccess.Write(output, table, at * Sector);
            Array.Clear(table);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)at);
            RandomAccess.Write(output, entry, directorySector * Sector + current * 4);
        }

        long Reserve(long sectors)
        {
            if (next + sectors > uint.MaxValue)
                throw new FormatLimitException("a monolithicSparse VMDK's grain tables address at most 2 TiB of file (32-bit sector offsets); this disk holds more data");
            next += sectors;
            return next - sectors;
        }
    }

    private static byte[] Header(long capacity, long directorySector, long overhead)
    {
        var header = new byte[Sector];
        var h = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h, VmdkReader.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], 1); // version
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], NewLineDetection);
        BinaryPrimitives.WriteUInt64LittleEndian(h[12..], (ulong)capacity);
        BinaryPrimitives.WriteUInt64LittleEndian(h[20..], GrainSectors);
        BinaryPrimitives.WriteUInt64LittleEndian(h[28..], DescriptorSector);
        BinaryPrimitives.WriteUInt64LittleEndian(h[36..], DescriptorSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(h[44..], TableEntries);
        BinaryPrimitives.WriteUInt64LittleEndian(h[56..], (ulong)directorySector);
        BinaryPrimitives.WriteUInt64LittleEndian(h[64..], (ulong)overhead);
        "\n \r\n"u8.CopyTo(h[73..]); // the characters that let a reader see a file damaged by text-mode transfer
        return header;
    }

    /// <summary>The embedded descriptor: one sparse extent, this file, and an IDE geometry of 16 heads and 63 sectors.</summary>
    private static byte[] Descriptor(long capacity, string extentName)
    {
        var text = new StringBuilder()
            .Append(VmdkReader.DescriptorStart).Append('\n')
            .Append("version=1\n")
            .Append($"CID={Random.Shared.Next():x8}\n")
            .Append("parentCID=ffffffff\n")
            .Append("createType=\"monolithicSparse\"\n\n")
            .Append("# Extent description\n")
            .Append($"RW {capacity} SPARSE \"{extentName.Replace("\"", "")}\"\n\n")
            .Append("# The Disk Data Base\n#DDB\n\n")
            .Append("ddb.virtualHWVersion = \"4\"\n")
            .Append($"ddb.geometry.cylinders = \"{Math.Min(capacity / (16 * 63), 16383)}\"\n")
            .Append("ddb.geometry.heads = \"16\"\n")
            .Append("ddb.geometry.sectors = \"63\"\n")
            .Append("ddb.adapterType = \"ide\"\n")
            .ToString();
        var descriptor = new byte[DescriptorSectors * Sector];
        Encoding.ASCII.GetBytes(text, descriptor);
        return descriptor;
    }
}
