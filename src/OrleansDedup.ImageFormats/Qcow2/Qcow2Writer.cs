using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.GuestDisks;

namespace OrleansDedup.ImageFormats.Qcow2;

/// <summary>
/// Writes a raw guest disk as a qcow2 version 3 image (QEMU's docs/interop/qcow2.txt) in one pass over its data: the
/// header cluster, the L1 table, then for each 512 MiB of guest disk that holds data its L2 table followed by its
/// 64 KiB data clusters in guest order, then the refcount table and its blocks. All-zero clusters stay unallocated,
/// and what the writer costs follows the data: one L2 table in memory, an L1 entry written per L2 table. Every
/// cluster is used once, so every refcount is 1 and every L1 and L2 entry carries the COPIED flag, as `qemu-img
/// check` expects.
/// </summary>
internal static class Qcow2Writer
{
    public const int ClusterBits = 16;
    public const int ClusterSize = 1 << ClusterBits;

    private const int HeaderLength = 104;
    private const ulong Copied = 1UL << 63;
    private const int L2Entries = ClusterSize / 8;
    private const int RefcountsPerBlock = ClusterSize / 2; // refcount_order 4: 16-bit counts
    private const long L1Cluster = 1;

    /// <summary>Writes the qcow2 of <paramref name="disk"/> (its size rounded up to whole sectors, as qcow2 wants) to
    /// <paramref name="output"/>, truncated first; returns the virtual size it records. <paramref name="progress"/>
    /// receives the bytes of the disk's data extents as they are read.</summary>
    /// <exception cref="FormatLimitException">The disk is larger than <see cref="GuestDiskLimits.Qcow2"/>.</exception>
    public static long Write(IGuestDisk disk, SafeFileHandle output, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(output);
        long size = disk.Size;
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        GuestDiskLimits.Check(ImageFormat.Qcow2, size);
        long virtualSize = (size + 511) / 512 * 512;
        long l1Entries = ((virtualSize + ClusterSize - 1) / ClusterSize + L2Entries - 1) / L2Entries;
        RandomAccess.SetLength(output, 0);
        long refcountTableStart = WriteData(disk, output, L1Cluster + ClustersFor(l1Entries * 8), progress, cancellation);

        long refcountBlocks = 0, refcountTableClusters = 0, total;
        while (true)
        {
            total = refcountTableStart + refcountTableClusters + refcountBlocks;
            long blocks = (total + RefcountsPerBlock - 1) / RefcountsPerBlock;
            long tableClusters = ClustersFor(blocks * 8);
            if (blocks == refcountBlocks && tableClusters == refcountTableClusters) break;
            (refcountBlocks, refcountTableClusters) = (blocks, tableClusters);
        }

        long refcountBlocksStart = refcountTableStart + refcountTableClusters;
        var table = new byte[refcountBlocks * 8];
        for (long b = 0; b < refcountBlocks; b++)
            BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan((int)(b * 8)), (ulong)((refcountBlocksStart + b) * ClusterSize));
        Write(output, table, refcountTableStart);
        WriteRefcountBlocks(output, refcountBlocksStart, refcountBlocks, total);
        RandomAccess.Write(output, Header(virtualSize, l1Entries, L1Cluster, refcountTableStart, refcountTableClusters), 0);
        RandomAccess.SetLength(output, total * ClusterSize);
        return virtualSize;
    }

    /// <summary>Writes, from host cluster <paramref name="next"/> on, each L2 table that maps data followed by its data
    /// clusters, and the L1 entry of each table (the L1 table is at host cluster <see cref="L1Cluster"/>; the entries of tables never written
    /// stay zero, unallocated). Returns the host cluster after the last one written.</summary>
    private static long WriteData(IGuestDisk disk, SafeFileHandle output, long next, Action<long>? progress, CancellationToken cancellation)
    {
        var l2 = new byte[ClusterSize];
        var l1Entry = new byte[8];
        long table = -1, l2Cluster = 0;
        DataBlocks.Scan(disk, ClusterSize, progress, cancellation, (c, data) =>
        {
            if (data.IsEmpty) return;
            if (c / L2Entries != table)
            {
                Flush();
                table = c / L2Entries;
                l2Cluster = next++;
            }

            RandomAccess.Write(output, data, next * ClusterSize);
            BinaryPrimitives.WriteUInt64BigEndian(l2.AsSpan((int)(c % L2Entries) * 8), (ulong)(next++ * ClusterSize) | Copied);
        });
        Flush();
        return next;

        void Flush()
        {
            if (table < 0) return;
            RandomAccess.Write(output, l2, l2Cluster * ClusterSize);
            Array.Clear(l2);
            BinaryPrimitives.WriteUInt64BigEndian(l1Entry, (ulong)(l2Cluster * ClusterSize) | Copied);
            RandomAccess.Write(output, l1Entry, L1Cluster * ClusterSize + table * 8);
        }
    }

    /// <summary>Refcount 1 for host clusters 0 .. <paramref name="total"/> - 1, 0 past them.</summary>
    private static void WriteRefcountBlocks(SafeFileHandle output, long start, long blocks, long total)
    {
        var block = new byte[ClusterSize];
        for (long b = 0; b < blocks; b++)
        {
            Array.Clear(block);
            long used = Math.Min(RefcountsPerBlock, total - b * RefcountsPerBlock);
            for (int i = 0; i < used; i++) BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(i * 2), 1);
            RandomAccess.Write(output, block, (start + b) * ClusterSize);
        }
    }

    private static byte[] Header(long virtualSize, long l1Entries, long l1Start, long refcountTableStart, long refcountTableClusters)
    {
        var header = new byte[HeaderLength + 8]; // and an empty header extension: the end of the list
        var h = header.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(h, Qcow2Reader.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(h[4..], 3);
        BinaryPrimitives.WriteUInt32BigEndian(h[20..], ClusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(h[24..], (ulong)virtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(h[36..], (uint)l1Entries);
        BinaryPrimitives.WriteUInt64BigEndian(h[40..], (ulong)(l1Start * ClusterSize));
        BinaryPrimitives.WriteUInt64BigEndian(h[48..], (ulong)(refcountTableStart * ClusterSize));
        BinaryPrimitives.WriteUInt32BigEndian(h[56..], (uint)refcountTableClusters);
        BinaryPrimitives.WriteUInt32BigEndian(h[96..], 4); // refcount_order: 16-bit refcounts
        BinaryPrimitives.WriteUInt32BigEndian(h[100..], HeaderLength);
        return header;
    }

    private static long ClustersFor(long bytes) => Math.Max(1, (bytes + ClusterSize - 1) / ClusterSize);

    private static void Write(SafeFileHandle output, byte[] bytes, long cluster) => RandomAccess.Write(output, bytes, cluster * ClusterSize);
}
