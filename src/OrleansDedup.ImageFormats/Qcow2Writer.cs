using System.Buffers.Binary;
using System.Collections;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.ImageFormats;

/// <summary>
/// Writes a raw guest disk as a qcow2 version 3 image (QEMU's docs/interop/qcow2.txt) in one pass: the header cluster,
/// then the 64 KiB clusters that hold data in guest order, then the L2 tables, the L1 table, the refcount table and
/// its blocks. All-zero clusters stay unallocated. Every cluster is used once, so every refcount is 1 and every L1
/// and L2 entry carries the COPIED flag, as `qemu-img check` expects.
/// </summary>
public static class Qcow2Writer
{
    public const int ClusterBits = 16;
    public const int ClusterSize = 1 << ClusterBits;

    private const int HeaderLength = 104;
    private const ulong Copied = 1UL << 63;
    private const int L2Entries = ClusterSize / 8;
    private const int RefcountsPerBlock = ClusterSize / 2; // refcount_order 4: 16-bit counts

    /// <summary>Writes the qcow2 of <paramref name="disk"/> (its size rounded up to whole sectors, as qcow2 wants) to
    /// <paramref name="output"/>, truncated first; returns the virtual size it records. <paramref name="progress"/>
    /// receives the disk bytes as they are read.</summary>
    public static long Write(IGuestDisk disk, SafeFileHandle output, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(output);
        long size = disk.Size;
        long virtualSize = (size + 511) / 512 * 512;
        long clusters = (virtualSize + ClusterSize - 1) / ClusterSize;
        if (size < 0 || clusters > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(size), size, "this writer holds at most 128 TiB");
        long l1Entries = (clusters + L2Entries - 1) / L2Entries;
        var allocated = new BitArray((int)clusters);
        var tables = new BitArray((int)l1Entries);
        RandomAccess.SetLength(output, 0);
        var (data, l2Tables) = WriteDataClusters(disk, output, allocated, tables, progress);

        long l2Start = 1 + data;
        long l1Start = l2Start + l2Tables;
        long l1Clusters = ClustersFor(l1Entries * 8);
        long refcountTableStart = l1Start + l1Clusters;
        long refcountBlocks = 0, refcountTableClusters = 0, total;
        while (true)
        {
            total = refcountTableStart + refcountTableClusters + refcountBlocks;
            long blocks = (total + RefcountsPerBlock - 1) / RefcountsPerBlock;
            long tableClusters = ClustersFor(blocks * 8);
            if (blocks == refcountBlocks && tableClusters == refcountTableClusters) break;
            (refcountBlocks, refcountTableClusters) = (blocks, tableClusters);
        }

        var l1 = WriteL2Tables(output, allocated, tables, l2Start);
        Write(output, l1, l1Start);
        long refcountBlocksStart = refcountTableStart + refcountTableClusters;
        var table = new byte[refcountBlocks * 8];
        for (long b = 0; b < refcountBlocks; b++)
            BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan((int)(b * 8)), (ulong)((refcountBlocksStart + b) * ClusterSize));
        Write(output, table, refcountTableStart);
        WriteRefcountBlocks(output, refcountBlocksStart, refcountBlocks, total);
        RandomAccess.Write(output, Header(virtualSize, l1Entries, l1Start, refcountTableStart, refcountTableClusters), 0);
        RandomAccess.SetLength(output, total * ClusterSize);
        return virtualSize;
    }

    /// <summary>Writes each cluster with data at host cluster 1, 2, ... in guest order and marks it, and the L2 table
    /// that will map it; returns how many clusters and tables that makes.</summary>
    private static (long Clusters, long Tables) WriteDataClusters(IGuestDisk disk, SafeFileHandle output, BitArray allocated,
        BitArray tables, Action<long>? progress)
    {
        long written = 0, used = 0;
        DataBlocks.Scan(disk, ClusterSize, progress, (c, data) =>
        {
            if (data.IsEmpty) return;
            RandomAccess.Write(output, data, (1 + written) * ClusterSize);
            allocated[(int)c] = true;
            written++;
            if (!tables[(int)(c / L2Entries)])
            {
                tables[(int)(c / L2Entries)] = true;
                used++;
            }
        });
        return (written, used);
    }

    /// <summary>Writes one L2 table per L1 entry that maps any data, from host cluster <paramref name="l2Start"/> on;
    /// returns the L1 table. Data cluster n (in guest order) is host cluster 1 + n.</summary>
    private static byte[] WriteL2Tables(SafeFileHandle output, BitArray allocated, BitArray tables, long l2Start)
    {
        var l1 = new byte[ClustersFor(tables.Length * 8L) * ClusterSize];
        var l2 = new byte[ClusterSize];
        long dataCluster = 1, l2Cluster = l2Start;
        for (int t = 0; t < tables.Length; t++)
        {
            if (!tables[t]) continue;
            Array.Clear(l2);
            for (int i = 0; i < L2Entries && (long)t * L2Entries + i < allocated.Length; i++)
            {
                if (allocated[t * L2Entries + i])
                    BinaryPrimitives.WriteUInt64BigEndian(l2.AsSpan(i * 8), (ulong)(dataCluster++ * ClusterSize) | Copied);
            }

            RandomAccess.Write(output, l2, l2Cluster * ClusterSize);
            BinaryPrimitives.WriteUInt64BigEndian(l1.AsSpan(t * 8), (ulong)(l2Cluster++ * ClusterSize) | Copied);
        }

        return l1;
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
