using OrleansDedup.ImageFormats.Layout;
using static OrleansDedup.ImageFormats.Endian;

namespace OrleansDedup.ImageFormats.Vhd;

/// <summary>
/// VHD (Microsoft's Virtual Hard Disk Image Format Specification): fixed disks are the guest followed by a
/// 512-byte footer; dynamic disks have a footer copy, a dynamic header, the block allocation table (BAT) and
/// blocks, each a sector bitmap followed by the block's data. As in QEMU, an allocated block is read whole
/// whatever its bitmap says. Differencing disks have a parent and are refused.
/// </summary>
internal static class VhdReader
{
    public static ReadOnlySpan<byte> FooterCookie => "conectix"u8;

    private static ReadOnlySpan<byte> DynamicCookie => "cxsparse"u8;

    private const int Sector = 512;
    private const int DynamicHeaderBytes = 1024;
    private const uint Fixed = 2, Dynamic = 3, Differencing = 4;
    private const uint Unallocated = uint.MaxValue;

    public static ImageLayout Read(ImageFile file)
    {
        Span<byte> footer = stackalloc byte[Sector];
        bool footerAtEnd = false;
        if (file.Length >= Sector)
        {
            file.Read(file.Length - Sector, footer, "footer");
            footerAtEnd = footer.StartsWith(FooterCookie);
        }

        if (!footerAtEnd)
        {
            file.Read(0, footer, "footer copy");
        }

        uint type = Be32(footer, 60);
        ulong size = Be64(footer, 48);
        if (size > Limits.MaxVirtualSize)
        {
            throw file.Bad($"footer current size {size} exceeds {Limits.MaxVirtualSize}");
        }

        var regions = new RegionCollector(file);
        if (footerAtEnd)
        {
            regions.Structure(file.Length - Sector, Sector, "footer");
        }

        switch (type)
        {
            case Fixed:
                return ReadFixed(file, regions, (long)size, footerAtEnd);
            case Dynamic:
                return ReadDynamic(file, regions, (long)size, Be64(footer, 16));
            case Differencing:
                throw file.Bad("disk is a differencing disk with a parent (backing) image; not supported");
            default:
                throw file.Bad($"footer disk type {type} is not 2 (fixed), 3 (dynamic) or 4 (differencing)");
        }
    }

    private static ImageLayout ReadFixed(ImageFile file, RegionCollector regions, long size, bool footerAtEnd)
    {
        if (!footerAtEnd)
        {
            throw file.Bad("fixed disk has no footer at the end of the file");
        }

        if (size > file.Length - Sector)
        {
            throw file.Bad($"footer current size {size} is larger than the {file.Length - Sector} bytes before the footer");
        }

        regions.GuestData(0, size, 0);
        return new ImageLayout(ImageFormat.Vhd, "fixed", size, file.Length, regions.Cover());
    }

    private static ImageLayout ReadDynamic(ImageFile file, RegionCollector regions, long size, ulong headerOffset)
    {
        regions.Structure(0, Math.Min(Sector, file.Length), "footer copy");
        long offset = (long)Math.Min(headerOffset, long.MaxValue);
        if (!file.Contains(offset, DynamicHeaderBytes))
        {
            throw file.Beyond("dynamic header (footer data offset)", offset, DynamicHeaderBytes);
        }

        Span<byte> header = stackalloc byte[DynamicHeaderBytes];
        file.Read(offset, header, "dynamic header");
        if (!header.StartsWith(DynamicCookie))
        {
            throw file.Bad($"dynamic header at 0x{offset:x} lacks its \"cxsparse\" cookie");
        }

        regions.Structure(offset, DynamicHeaderBytes, "dynamic header");
        uint blockSize = Be32(header, 32);
        if (blockSize < Sector || blockSize > 256 << 20 || !uint.IsPow2(blockSize))
        {
            throw file.Bad($"dynamic header block size {blockSize} is not a power of two in 512..256 MiB");
        }

        uint entries = Be32(header, 28);
        if ((long)entries * blockSize < size)
        {
            throw file.Bad($"dynamic header max table entries {entries} of {blockSize} bytes cannot hold the current size {size}");
        }

        long batOffset = (long)Math.Min(Be64(header, 16), long.MaxValue);
        if (!file.Contains(batOffset, entries * 4L))
        {
            throw file.Beyond($"block allocation table ({entries} entries)", batOffset, entries * 4L);
        }

        regions.Structure(batOffset, entries * 4L, "block allocation table");
        ReadBlocks(file, regions, size, blockSize, batOffset, entries);
        return new ImageLayout(ImageFormat.Vhd, "dynamic", size, file.Length, regions.Cover());
    }

    private static void ReadBlocks(ImageFile file, RegionCollector regions, long size, uint blockSize, long batOffset, uint entries)
    {
        long bitmap = ((blockSize / Sector + 7) / 8 + Sector - 1) / Sector * Sector;
        foreach (var (index, value) in file.Entries(batOffset, entries, 4, bigEndian: true, "block allocation table"))
        {
            uint sector = (uint)value;
            if (sector == Unallocated)
            {
                continue;
            }

            long guest = index * blockSize;
            long at = (long)sector * Sector;
            if (guest >= size)
            {
                throw file.Bad($"block allocation table entry {index} maps 0x{at:x} to guest offset 0x{guest:x}, past the current size ({size} bytes)");
            }

            long length = Math.Min(blockSize, size - guest);
            if (!file.Contains(at, bitmap + length))
            {
                throw file.Bad($"block allocation table entry {index} points at 0x{at:x} beyond the end of the file ({file.Length} bytes)");
            }

            regions.Metadata(at, bitmap, "sector bitmap");
            regions.GuestData(at + bitmap, length, guest);
        }
    }
}
