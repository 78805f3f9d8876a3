using System.Buffers;
using System.Text;
using OrleansDedup.ImageFormats.Layout;
using static OrleansDedup.ImageFormats.Endian;

namespace OrleansDedup.ImageFormats.Vmdk;

/// <summary>
/// VMDK hosted sparse extents ("KDMV", VMware's Virtual Disk Format 5.0): monolithicSparse and streamOptimized,
/// with the embedded descriptor, grain directory, grain tables and grains. Compressed grains keep their
/// 12-byte grain marker (LBA and size) as metadata. A separate text descriptor is recognised and refused:
/// its extents live in other files.
/// </summary>
internal static class VmdkReader
{
    public const uint Magic = 0x564D444B;
    public const string DescriptorStart = "# Disk DescriptorFile";

    private const int Sector = 512;
    private const uint ZeroGrainFlag = 1 << 2, CompressedFlag = 1 << 16;
    private const ulong GrainDirectoryAtEnd = ulong.MaxValue;
    private const int MarkerBytes = 12;
    private const int MaxDescriptorBytes = 64 << 10;

    public static ImageLayout Read(ImageFile file)
    {
        Span<byte> header = stackalloc byte[Sector];
        file.Read(0, header[..4], "magic");
        if (Le32(header, 0) != Magic)
        {
            throw file.Bad("file is a text descriptor whose extents live in other files; read the extent file instead");
        }

        file.Read(0, header, "sparse extent header");

        uint version = Le32(header, 4);
        if (version is < 1 or > 3)
        {
            throw file.Bad($"sparse extent header version {version} is not 1, 2 or 3");
        }

        uint flags = Le32(header, 8);
        bool compressed = (flags & CompressedFlag) != 0;
        ulong gdSector = Le64(header, 56);
        if (gdSector == GrainDirectoryAtEnd)
        {
            // streamOptimized files written in one pass keep the real header in a footer before the end-of-stream marker.
            if (file.Length < 3 * Sector)
            {
                throw file.Bad("grain directory is at the end but the file is too short for a footer");
            }

            file.Read(file.Length - 2 * Sector, header, "footer");
            if (Le32(header, 0) != Magic)
            {
                throw file.Bad($"grain directory is at the end but no footer header at 0x{file.Length - 2 * Sector:x}");
            }

            gdSector = Le64(header, 56);
        }

        ulong capacity = Le64(header, 12);
        ulong grainSectors = Le64(header, 20);
        uint entriesPerTable = Le32(header, 44);
        if (capacity > Limits.MaxVirtualSize / Sector)
        {
            throw file.Bad($"header capacity {capacity} sectors exceeds {Limits.MaxVirtualSize / Sector}");
        }

        if (grainSectors is < 1 or > 1 << 16 || !ulong.IsPow2(grainSectors))
        {
            throw file.Bad($"header grainSize {grainSectors} sectors is not a power of two in 1..65536");
        }

        if (entriesPerTable is < 1 or > 1 << 16)
        {
            throw file.Bad($"header numGTEsPerGT {entriesPerTable} is outside 1..65536");
        }

        if (compressed && Le16(header, 77) != 1)
        {
            throw file.Bad($"header compressAlgorithm {Le16(header, 77)} is not 1 (deflate)");
        }

        long size = (long)capacity * Sector;
        long grain = (long)grainSectors * Sector;
        var regions = new RegionCollector(file);
        regions.Structure(0, Sector, "sparse extent header");
        string variant = ReadDescriptor(file, regions, Le64(header, 28), Le64(header, 36), compressed);
        var layout = new Grains(file, regions, size, grain, entriesPerTable, compressed, (flags & ZeroGrainFlag) != 0);
        layout.ReadDirectory(gdSector);
        return new ImageLayout(ImageFormat.Vmdk, variant, size, file.Length, regions.Cover(),
            compressed ? GuestCompression.Zlib : GuestCompression.None, compressed ? grain : 0);
    }

    private static ushort Le16(ReadOnlySpan<byte> bytes, int at) => (ushort)(bytes[at] | bytes[at + 1] << 8);

    private static string ReadDescriptor(ImageFile file, RegionCollector regions, ulong sector, ulong sectors, bool compressed)
    {
        string fallback = compressed ? "streamOptimized" : "monolithicSparse";
        if (sector == 0 || sectors == 0)
        {
            return fallback;
        }

        if (sectors > MaxDescriptorBytes / Sector || sector > (ulong)(file.Length / Sector))
        {
            throw file.Bad($"embedded descriptor at sector {sector} (+{sectors} sectors) lies beyond the file or exceeds {MaxDescriptorBytes} bytes");
        }

        long offset = (long)sector * Sector, length = (long)sectors * Sector;
        if (!file.Contains(offset, length))
        {
            throw file.Beyond("embedded descriptor", offset, length);
        }

        regions.Structure(offset, length, "embedded descriptor");
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            file.Read(offset, buffer.AsSpan(0, (int)length), "embedded descriptor");
            string? createType = CreateType(buffer.AsSpan(0, (int)length));
            if (createType is null)
            {
                return fallback;
            }

            if (createType is not ("monolithicSparse" or "streamOptimized"))
            {
                throw file.Bad($"descriptor createType \"{createType}\" is not supported (only monolithicSparse and streamOptimized)");
            }

            return createType;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string? CreateType(ReadOnlySpan<byte> descriptor)
    {
        int end = descriptor.IndexOf((byte)0);
        string text = Encoding.ASCII.GetString(end < 0 ? descriptor : descriptor[..end]);
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("createType", StringComparison.Ordinal))
            {
                int equals = trimmed.IndexOf('=');
                return equals < 0 ? null : trimmed[(equals + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    /// <summary>The grain directory walk, with the header's geometry held once instead of passed to every step.</summary>
    private sealed class Grains(ImageFile file, RegionCollector regions, long size, long grain, uint entriesPerTable, bool compressed, bool zeroGrains)
    {
        private readonly long _guestPerTable = grain * entriesPerTable;

        public void ReadDirectory(ulong gdSector)
        {
            long tables = (size + _guestPerTable - 1) / _guestPerTable;
            long length = tables * 4;
            long offset = gdSector > (ulong)(file.Length / Sector) ? -1 : (long)gdSector * Sector;
            if (!file.Contains(offset, length))
            {
                throw file.Beyond($"grain directory ({tables} entries) at sector {gdSector}", (long)Math.Min(gdSector, long.MaxValue / Sector) * Sector, length);
            }

            regions.Structure(offset, length, "grain directory");
            byte[] table = ArrayPool<byte>.Shared.Rent((int)entriesPerTable * 4);
            try
            {
                foreach (var (index, gtSector) in file.Entries(offset, tables, 4, bigEndian: false, "grain directory"))
                {
                    if (gtSector != 0)
                    {
                        ReadTable(index, (uint)gtSector, table.AsSpan(0, (int)entriesPerTable * 4));
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(table);
            }
        }

        private void ReadTable(long index, uint gtSector, Span<byte> table)
        {
            long offset = (long)gtSector * Sector;
            if (!file.Contains(offset, table.Length))
            {
                throw file.Bad($"grain directory entry {index} points at 0x{offset:x} beyond the end of the file ({file.Length} bytes)");
            }

            regions.Table(offset, table.Length, "grain table", "grain directory entry", index);
            file.Read(offset, table, "grain table");
            for (int j = 0; j < table.Length / 4; j++)
            {
                uint grainSector = Le32(table, j * 4);
                if (grainSector == 0 || (grainSector == 1 && zeroGrains))
                {
                    continue;
                }

                long guest = index * _guestPerTable + j * grain;
                long at = (long)grainSector * Sector;
                if (guest >= size)
                {
                    throw file.Bad($"grain table entry {j} of grain directory entry {index} maps 0x{at:x} to guest offset 0x{guest:x}, past the capacity ({size} bytes)");
                }

                if (compressed)
                {
                    ReadCompressedGrain(index, j, at, guest);
                    continue;
                }

                long length = Math.Min(grain, size - guest);
                if (!file.Contains(at, length))
                {
                    throw file.Bad($"grain table entry {j} of grain directory entry {index} points at 0x{at:x} beyond the end of the file ({file.Length} bytes)");
                }

                regions.GuestData(at, length, guest);
            }
        }

        private void ReadCompressedGrain(long index, int entry, long at, long guest)
        {
            if (!file.Contains(at, MarkerBytes))
            {
                throw file.Bad($"grain table entry {entry} of grain directory entry {index} points at 0x{at:x} beyond the end of the file ({file.Length} bytes)");
            }

            Span<byte> marker = stackalloc byte[MarkerBytes];
            file.Read(at, marker, "grain marker");
            ulong lba = Le64(marker, 0);
            uint length = Le32(marker, 8);
            if (lba != (ulong)(guest / Sector))
            {
                throw file.Bad($"grain marker at 0x{at:x} says LBA {lba} but grain table entry {entry} of grain directory entry {index} maps LBA {guest / Sector}");
            }

            if (length == 0 || length > 2 * grain + 1024 || !file.Contains(at + MarkerBytes, length))
            {
                throw file.Bad($"grain marker at 0x{at:x} gives compressed size {length}, which is zero, absurd for a {grain}-byte grain, or past the end of the file ({file.Length} bytes)");
            }

            regions.Metadata(at, MarkerBytes, "grain marker");
            regions.Compressed(at + MarkerBytes, length, guest);
        }
    }
}
