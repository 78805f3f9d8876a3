using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.ImageFormats;

/// <summary>
/// Writes a raw guest disk as a monolithicSparse VMDK (VMware's Virtual Disk Format 5.0, hosted sparse extent) in one
/// pass: header, embedded descriptor, grain directory and every grain table up front, as VMware lays them out, then
/// the 64 KiB grains that hold data in guest order. All-zero grains stay unallocated. One grain table is in memory at
/// a time.
/// </summary>
public static class SparseVmdkWriter
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
    /// disk bytes as they are read.</summary>
    public static long Write(IGuestDisk disk, SafeFileHandle output, string extentName, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(output);
        long size = disk.Size;
        if (size < 0 || size > Limits.MaxVirtualSize) throw new ArgumentOutOfRangeException(nameof(size), size, "not a disk size VMDK holds");
        long capacity = (size + Sector - 1) / Sector;
        long grains = (capacity + GrainSectors - 1) / GrainSectors;
        long tables = (grains + TableEntries - 1) / TableEntries;
        long directorySector = DescriptorSector + DescriptorSectors;
        long directorySectors = (tables * 4 + Sector - 1) / Sector;
        long firstTable = directorySector + directorySectors;
        long overhead = (firstTable + tables * TableSectors + GrainSectors - 1) / GrainSectors * GrainSectors;
        if (overhead + grains * GrainSectors > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(size), size, "grain offsets would not fit the grain tables' 32 bits");

        RandomAccess.SetLength(output, 0);
        RandomAccess.Write(output, Header(capacity, directorySector, overhead), 0);
        RandomAccess.Write(output, Descriptor(capacity, extentName), DescriptorSector * Sector);
        var directory = new byte[directorySectors * Sector];
        for (long t = 0; t < tables; t++)
            BinaryPrimitives.WriteUInt32LittleEndian(directory.AsSpan((int)(t * 4)), (uint)(firstTable + t * TableSectors));
        RandomAccess.Write(output, directory, directorySector * Sector);
        long end = WriteGrains(disk, output, grains, firstTable, overhead, progress);
        RandomAccess.SetLength(output, Math.Max(end, overhead) * Sector);
        return capacity * Sector;
    }

    /// <summary>Writes the grains with data from sector <paramref name="overhead"/> on and each grain table once full;
    /// returns the sector after the last grain.</summary>
    private static long WriteGrains(IGuestDisk disk, SafeFileHandle output, long grains, long firstTable, long overhead, Action<long>? progress)
    {
        var table = new byte[TableEntries * 4];
        long next = overhead;
        DataBlocks.Scan(disk, GrainSize, progress, (g, data) =>
        {
            if (!data.IsEmpty)
            {
                RandomAccess.Write(output, data, next * Sector);
                BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan((int)(g % TableEntries) * 4), (uint)next);
                next += GrainSectors;
            }

            if (g % TableEntries == TableEntries - 1 || g == grains - 1)
            {
                RandomAccess.Write(output, table, (firstTable + g / TableEntries * TableSectors) * Sector);
                Array.Clear(table);
            }
        });
        return next;
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
