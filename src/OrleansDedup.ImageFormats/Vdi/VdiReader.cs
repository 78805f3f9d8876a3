using OrleansDedup.ImageFormats.Layout;
using static OrleansDedup.ImageFormats.Endian;

namespace OrleansDedup.ImageFormats.Vdi;

/// <summary>
/// VDI (VirtualBox's disk image, header version 1.1 as QEMU's block/vdi.c documents it): a pre-header, the
/// header, the block map and the data blocks. Dynamic and fixed images share this layout; undo and
/// differencing images have a parent and are refused.
/// </summary>
internal static class VdiReader
{
    public const int SignatureOffset = 0x40;
    public const uint Signature = 0xBEDA107F;

    private const uint Version11 = 0x00010001;
    private const int PreHeaderBytes = 0x48;
    private const int HeaderBytes = 0x190;
    private const uint Dynamic = 1, Fixed = 2;
    private const uint Unallocated = 0xFFFFFFFF, Discarded = 0xFFFFFFFE;

    public static ImageLayout Read(ImageFile file)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        file.Read(0, header, "header");
        uint version = Le32(header, 0x44);
        if (version != Version11)
        {
            throw file.Bad($"header version 0x{version:x8} is not 1.1");
        }

        uint headerSize = Le32(header, 0x48);
        uint type = Le32(header, 0x4C);
        uint mapOffset = Le32(header, 0x154);
        uint dataOffset = Le32(header, 0x158);
        uint sectorSize = Le32(header, 0x168);
        ulong size = Le64(header, 0x170);
        uint blockSize = Le32(header, 0x178);
        uint blockExtra = Le32(header, 0x17C);
        uint blocks = Le32(header, 0x180);
        if (type is not (Dynamic or Fixed))
        {
            throw file.Bad($"image type {type} is not 1 (dynamic) or 2 (fixed); undo and differencing images are not supported");
        }

        if (headerSize < 0x180 || PreHeaderBytes + headerSize > mapOffset)
        {
            throw file.Bad($"header size {headerSize} is below 0x180 or runs into the block map at 0x{mapOffset:x}");
        }

        if (sectorSize != 512)
        {
            throw file.Bad($"header sector size {sectorSize} is not 512");
        }

        if (blockSize < 512 || blockSize > 256 << 20 || !uint.IsPow2(blockSize) || blockExtra != 0)
        {
            throw file.Bad($"header block size {blockSize} (extra {blockExtra}) is not a power of two in 512..256 MiB with no extra data");
        }

        if (size > Limits.MaxVirtualSize || (long)blocks * blockSize < (long)size)
        {
            throw file.Bad($"header disk size {size} is absurd or larger than its {blocks} blocks of {blockSize} bytes");
        }

        if (!file.Contains(mapOffset, blocks * 4L) || mapOffset + blocks * 4L > dataOffset)
        {
            throw file.Bad($"block map at 0x{mapOffset:x} ({blocks} entries) runs past the data at 0x{dataOffset:x} or the end of the file ({file.Length} bytes)");
        }

        var regions = new RegionCollector(file);
        regions.Structure(0, PreHeaderBytes + headerSize, "header");
        regions.Structure(mapOffset, blocks * 4L, "block map");
        ReadBlocks(file, regions, (long)size, blockSize, mapOffset, dataOffset, blocks);
        return new ImageLayout(ImageFormat.Vdi, type == Fixed ? "fixed" : "dynamic", (long)size, file.Length, regions.Cover());
    }

    private static void ReadBlocks(ImageFile file, RegionCollector regions, long size, uint blockSize, long mapOffset, long dataOffset, uint blocks)
    {
        foreach (var (index, value) in file.Entries(mapOffset, blocks, 4, bigEndian: false, "block map"))
        {
            uint entry = (uint)value;
            if (entry is Unallocated or Discarded)
            {
                continue;
            }

            long guest = index * blockSize;
            long at = dataOffset + (long)entry * blockSize;
            if (guest >= size)
            {
                throw file.Bad($"block map entry {index} maps block {entry} to guest offset 0x{guest:x}, past the disk size ({size} bytes)");
            }

            long length = Math.Min(blockSize, size - guest);
            if (!file.Contains(at, length))
            {
                throw file.Bad($"block map entry {index} points at block {entry} (0x{at:x}) beyond the end of the file ({file.Length} bytes)");
            }

            regions.GuestData(at, length, guest);
        }
    }
}
