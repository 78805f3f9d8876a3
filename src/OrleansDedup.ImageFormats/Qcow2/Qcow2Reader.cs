using System.Buffers;
using OrleansDedup.ImageFormats.Layout;
using static OrleansDedup.ImageFormats.Endian;

namespace OrleansDedup.ImageFormats.Qcow2;

/// <summary>
/// qcow2 versions 2 and 3 (QEMU's docs/interop/qcow2.txt): header, L1 table, L2 tables and data clusters.
/// Only the active L1 table maps the guest; snapshots, refcount blocks and header extensions are metadata.
/// </summary>
internal static class Qcow2Reader
{
    public const uint Magic = 0x514649FB;

    private const ulong OffsetMask = 0x00FFFFFFFFFFFE00;
    private const ulong CompressedFlag = 1UL << 62;
    private const ulong ZeroFlag = 1;
    private const ulong DirtyBit = 1, CorruptBit = 2, ExternalDataBit = 4, CompressionTypeBit = 8, ExtendedL2Bit = 16;
    private const int MaxL1Entries = 32 << 20 >> 3;

    public static ImageLayout Read(ImageFile file)
    {
        Span<byte> header = stackalloc byte[105];
        file.Read(0, header[..72], "header");
        uint version = Be32(header, 4);
        if (version is not (2 or 3))
        {
            throw file.Bad($"header version {version} is neither 2 nor 3");
        }

        ulong backingOffset = Be64(header, 8);
        if (backingOffset != 0)
        {
            throw file.Bad($"image has a backing file (name at 0x{backingOffset:x}); images with a backing file are not supported");
        }

        uint clusterBits = Be32(header, 20);
        if (clusterBits is < 9 or > 21)
        {
            throw file.Bad($"header cluster_bits {clusterBits} is outside 9..21");
        }

        ulong size = Be64(header, 24);
        if (size > Limits.MaxVirtualSize)
        {
            throw file.Bad($"header virtual size {size} exceeds {Limits.MaxVirtualSize}");
        }

        uint cryptMethod = Be32(header, 32);
        if (cryptMethod != 0)
        {
            throw file.Bad($"image is encrypted (crypt_method {cryptMethod}); encrypted images are not supported");
        }

        long cluster = 1L << (int)clusterBits;
        long headerLength = 72;
        var compression = GuestCompression.Deflate;
        if (version == 3)
        {
            file.Read(72, header[72..104], "version 3 header");
            ulong incompatible = Be64(header, 72);
            if ((incompatible & ExternalDataBit) != 0)
            {
                throw file.Bad("image keeps its data in an external data file; not supported");
            }

            if ((incompatible & ExtendedL2Bit) != 0)
            {
                throw file.Bad("image uses extended L2 entries (subclusters); not supported");
            }

            ulong unknown = incompatible & ~(DirtyBit | CorruptBit | CompressionTypeBit);
            if (unknown != 0)
            {
                throw file.Bad($"header has unknown incompatible features 0x{unknown:x}");
            }

            headerLength = Be32(header, 100);
            if (headerLength < 104 || headerLength > cluster)
            {
                throw file.Bad($"header_length {headerLength} is outside 104..{cluster} (the cluster size)");
            }

            if ((incompatible & CompressionTypeBit) != 0)
            {
                if (headerLength < 105)
                {
                    throw file.Bad($"header_length {headerLength} has no room for the compression type its features announce");
                }

                file.Read(104, header[104..105], "compression type");
                compression = header[104] switch
                {
                    0 => GuestCompression.Deflate,
                    1 => GuestCompression.Zstd,
                    _ => throw file.Bad($"header compression type {header[104]} is unknown"),
                };
            }
        }

        var regions = new RegionCollector(file);
        if (!file.Contains(0, headerLength))
        {
            throw file.Beyond("header", 0, headerLength);
        }

        regions.Structure(0, headerLength, "header");
        ClaimRefcountTable(file, regions, Be64(header, 48), Be32(header, 56), cluster);
        ReadMapping(file, regions, (long)size, clusterBits, l1Entries: Be32(header, 36), l1Offset: Be64(header, 40));
        return new ImageLayout(ImageFormat.Qcow2, $"qcow2 v{version}", (long)size, file.Length, regions.Cover(), compression, cluster);
    }

    private static void ClaimRefcountTable(ImageFile file, RegionCollector regions, ulong offset, uint clusters, long cluster)
    {
        if (offset % (ulong)cluster != 0)
        {
            throw file.Bad($"refcount table offset 0x{offset:x} is not cluster-aligned");
        }

        long length = clusters * cluster;
        if (!file.Contains((long)Math.Min(offset, long.MaxValue), length))
        {
            throw file.Beyond($"refcount table ({clusters} clusters)", (long)Math.Min(offset, long.MaxValue), length);
        }

        regions.Structure((long)offset, length, "refcount table");
    }

    private static void ReadMapping(ImageFile file, RegionCollector regions, long size, uint clusterBits, uint l1Entries, ulong l1Offset)
    {
        long cluster = 1L << (int)clusterBits;
        long l2Entries = cluster / 8;
        long guestPerL1 = cluster * l2Entries;
        long neededL1 = (size + guestPerL1 - 1) / guestPerL1;
        if (l1Entries < neededL1 || l1Entries > MaxL1Entries)
        {
            throw file.Bad($"L1 table size {l1Entries} is outside {neededL1}..{MaxL1Entries} (the virtual size needs {neededL1})");
        }

        if (l1Offset % (ulong)cluster != 0 && l1Entries > 0)
        {
            throw file.Bad($"L1 table offset 0x{l1Offset:x} is not cluster-aligned");
        }

        long l1Length = l1Entries * 8L;
        long l1Start = (long)Math.Min(l1Offset, long.MaxValue);
        if (!file.Contains(l1Start, l1Length))
        {
            throw file.Beyond($"L1 table ({l1Entries} entries)", l1Start, l1Length);
        }

        regions.Structure(l1Start, l1Length, "L1 table");
        byte[] l2 = ArrayPool<byte>.Shared.Rent((int)cluster);
        try
        {
            foreach (var (index, entry) in file.Entries(l1Start, l1Entries, 8, bigEndian: true, "L1 table"))
            {
                long l2Offset = (long)(entry & OffsetMask);
                if (l2Offset == 0)
                {
                    continue;
                }

                if (index >= neededL1)
                {
                    throw file.Bad($"L1 entry {index} maps an L2 table at 0x{l2Offset:x} past the virtual size ({size} bytes)");
                }

                if (l2Offset % cluster != 0)
                {
                    throw file.Bad($"L1 entry {index} points at 0x{l2Offset:x}, which is not cluster-aligned");
                }

                if (!file.Contains(l2Offset, cluster))
                {
                    throw file.Bad($"L1 entry {index} points at 0x{l2Offset:x} beyond the end of the file ({file.Length} bytes)");
                }

                regions.Table(l2Offset, cluster, "L2 table", "L1 entry", index);
                file.Read(l2Offset, l2.AsSpan(0, (int)cluster), "L2 table");
                ReadL2(file, regions, l2.AsSpan(0, (int)cluster), index, index * guestPerL1, size, clusterBits);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(l2);
        }
    }

    private static void ReadL2(ImageFile file, RegionCollector regions, ReadOnlySpan<byte> table, long l1Index, long guestBase, long size, uint clusterBits)
    {
        long cluster = 1L << (int)clusterBits;
        int offsetBits = 62 - (int)(clusterBits - 8);
        ulong compressedOffsetMask = (1UL << offsetBits) - 1;
        ulong sectorCountMask = (1UL << (int)(clusterBits - 8)) - 1;
        for (int j = 0; j < table.Length / 8; j++)
        {
            ulong entry = Be64(table, j * 8);
            long guest = guestBase + j * cluster;
            if ((entry & CompressedFlag) != 0)
            {
                long host = (long)(entry & compressedOffsetMask);
                long sectors = (long)((entry >> offsetBits) & sectorCountMask) + 1;
                CheckGuest(file, guest, size, l1Index, j, host);
                if (host == 0 || host >= file.Length)
                {
                    throw file.Bad($"L2 table entry {j} of L1 entry {l1Index} points compressed data at 0x{host:x} beyond the end of the file ({file.Length} bytes)");
                }

                long end = Math.Min((host & ~511L) + sectors * 512, file.Length);
                regions.SectorRoundedCompressed(host, end - host, guest);
                continue;
            }

            long offset = (long)(entry & OffsetMask);
            if ((entry & ZeroFlag) != 0 || offset == 0)
            {
                continue;
            }

            CheckGuest(file, guest, size, l1Index, j, offset);
            if (offset % cluster != 0)
            {
                throw file.Bad($"L2 table entry {j} of L1 entry {l1Index} points at 0x{offset:x}, which is not cluster-aligned");
            }

            long length = Math.Min(cluster, size - guest);
            if (!file.Contains(offset, length))
            {
                throw file.Bad($"L2 table entry {j} of L1 entry {l1Index} points at 0x{offset:x} beyond the end of the file ({file.Length} bytes)");
            }

            regions.GuestData(offset, length, guest);
        }
    }

    private static void CheckGuest(ImageFile file, long guest, long size, long l1Index, int l2Index, long host)
    {
        if (guest >= size)
        {
            throw file.Bad($"L2 table entry {l2Index} of L1 entry {l1Index} maps 0x{host:x} to guest offset 0x{guest:x}, past the virtual size ({size} bytes)");
        }
    }
}
