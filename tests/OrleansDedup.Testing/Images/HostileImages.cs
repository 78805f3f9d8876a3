using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Testing.Images;

/// <summary>
/// Hand-built containers whose tables ask a parser for far more work than the file holds (issue 14), each at any
/// size so that a small file and a scaled one can be compared. Files are sparse where their layout allows.
/// </summary>
public static class HostileImages
{
    private const int Sector = 512;

    /// <summary>qcow2 (64 KiB clusters) whose every L1 entry, as many as the rest of the file holds, points at one L2
    /// table of compressed entries.</summary>
    public static void SameL2Qcow2(string path, long fileBytes)
    {
        const int bits = 16;
        const long cluster = 1L << bits;
        long l1Entries = Math.Min((fileBytes - 4 * cluster) / 8, 4 << 20);
        using var file = Create(path, fileBytes);
        Qcow2Header(file, bits, virtualSize: l1Entries * cluster * (cluster / 8), l1Entries, l1Offset: 4 * cluster);
        var l2 = new byte[cluster];
        for (int j = 0; j < cluster / 8; j++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(l2.AsSpan(j * 8), Compressed(bits, 3 * cluster + j, 1));
        }

        RandomAccess.Write(file, l2, 2 * cluster);
        var l1 = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(l1, 2 * cluster);
        WriteRepeated(file, 4 * cluster, l1Entries, l1);
    }

    /// <summary>monolithicSparse VMDK with one-sector grains and one-entry grain tables, whose grain directory (half the
    /// file) points every entry at the same grain table.</summary>
    public static void SameGrainTableVmdk(string path, long fileBytes)
    {
        long entries = fileBytes / 8;
        using var file = Create(path, fileBytes);
        var header = new byte[Sector];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x564D444B);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(12), (ulong)entries);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(44), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), 1);
        RandomAccess.Write(file, header, 0);
        var gt = new byte[Sector];
        RandomAccess.Write(file, gt, fileBytes - Sector);
        var entry = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)(fileBytes / Sector - 1));
        WriteRepeated(file, Sector, entries, entry);
    }

    /// <summary>A valid qcow2 (64 KiB clusters) of <paramref name="clusters"/> compressed clusters packed byte by byte:
    /// each the smallest deflate stream of an all-zero cluster when <paramref name="inflatable"/>, else one byte.</summary>
    public static void PackedCompressedQcow2(string path, long clusters, bool inflatable)
    {
        const int bits = 16;
        const long cluster = 1L << bits;
        byte[] unit = inflatable ? DeflatedZeros((int)cluster) : [0x03];
        long l2Tables = (clusters + cluster / 8 - 1) / (cluster / 8);
        long l1Clusters = (l2Tables * 8 + cluster - 1) / cluster;
        long l2Start = (2 + l1Clusters) * cluster;
        long dataStart = l2Start + l2Tables * cluster;
        using var file = Create(path, dataStart + clusters * unit.Length);
        Qcow2Header(file, bits, virtualSize: clusters * cluster, l2Tables, l1Offset: 2 * cluster);
        var table = new byte[cluster];
        var data = new byte[(cluster / 8) * unit.Length];
        for (long t = 0; t < l2Tables; t++)
        {
            Array.Clear(table);
            long first = t * (cluster / 8), count = Math.Min(cluster / 8, clusters - first);
            for (int j = 0; j < count; j++)
            {
                long host = dataStart + (first + j) * unit.Length;
                BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan(j * 8), Compressed(bits, host, unit.Length));
                unit.CopyTo(data, j * unit.Length);
            }

            RandomAccess.Write(file, table, l2Start + t * cluster);
            RandomAccess.Write(file, data.AsSpan(0, (int)count * unit.Length), dataStart + first * unit.Length);
            var l1 = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(l1, (1UL << 63) | (ulong)(l2Start + t * cluster));
            RandomAccess.Write(file, l1, 2 * cluster + t * 8);
        }
    }

    /// <summary>An empty qcow2 of <paramref name="virtualSize"/> bytes with 2 MiB clusters and the L1 table it needs;
    /// 2^56 is the largest virtual size the readers accept.</summary>
    public static void HugeVirtualSizeQcow2(string path, long virtualSize)
    {
        const int bits = 21;
        const long cluster = 1L << bits;
        long l1Entries = (virtualSize + (cluster * (cluster / 8)) - 1) / (cluster * (cluster / 8));
        using var file = Create(path, 2 * cluster + l1Entries * 8);
        Qcow2Header(file, bits, virtualSize, l1Entries, l1Offset: 2 * cluster);
    }

    /// <summary>A thin qcow2 as qemu-img creates it (e.g. "100T"): an empty L1 table for the whole disk.</summary>
    public static void ThinQcow2(string path, string size) => ImageSet.Run("qemu-img", $"create -q -f qcow2 {path} {size}");

    private static SafeFileHandle Create(string path, long length)
    {
        var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        RandomAccess.SetLength(file, length);
        return file;
    }

    /// <summary>A qcow2 v2 header with a one-cluster refcount table in cluster 1.</summary>
    private static void Qcow2Header(SafeFileHandle file, int bits, long virtualSize, long l1Entries, long l1Offset)
    {
        var header = new byte[72];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x514649FB);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), (uint)bits);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(24), (ulong)virtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(36), (uint)l1Entries);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(40), (ulong)l1Offset);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(48), 1UL << bits);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(56), 1);
        RandomAccess.Write(file, header, 0);
    }

    /// <summary>A compressed-cluster descriptor: the host offset and the sectors its bytes touch, less one.</summary>
    private static ulong Compressed(int bits, long host, int length)
    {
        long sectors = (host + length - 1) / Sector - host / Sector + 1;
        return (1UL << 62) | ((ulong)(sectors - 1) << (62 - (bits - 8))) | (ulong)host;
    }

    private static void WriteRepeated(SafeFileHandle file, long offset, long count, byte[] entry)
    {
        var piece = new byte[(1 << 16) / entry.Length * entry.Length];
        for (int k = 0; k < piece.Length; k += entry.Length)
        {
            entry.CopyTo(piece, k);
        }

        long perPiece = piece.Length / entry.Length;
        for (long done = 0; done < count; done += perPiece)
        {
            long n = Math.Min(perPiece, count - done);
            RandomAccess.Write(file, piece.AsSpan(0, (int)(n * entry.Length)), offset + done * entry.Length);
        }
    }

    private static byte[] DeflatedZeros(int length)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize))
        {
            deflate.Write(new byte[length]);
        }

        return output.ToArray();
    }
}
