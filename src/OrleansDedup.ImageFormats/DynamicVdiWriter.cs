using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.ImageFormats;

/// <summary>
/// Writes a guest disk as a dynamic VDI (VirtualBox's disk image, header version 1.1): pre-header, header, block
/// map, then only the 1 MiB blocks that hold data, in guest order; all-zero blocks stay unallocated. One pass over the
/// disk and one buffer; the block map costs 4 bytes per MiB of disk.
/// </summary>
public static class DynamicVdiWriter
{
    /// <summary>The only block size QEMU opens.</summary>
    public const int BlockSize = 1 << 20;

    private const int HeaderEnd = 0x1D8;
    private const int MapOffset = 0x200;
    private const uint Dynamic = 1;
    private const uint Free = 0xFFFFFFFF;
    private const long MaxBlocks = (int.MaxValue - MapOffset) / 4; // the block map is one array (512 TiB of disk)

    /// <summary>Writes the VDI of <paramref name="disk"/> to <paramref name="output"/> (truncated first);
    /// <paramref name="progress"/> receives the disk bytes as they are read.</summary>
    public static void Write(IGuestDisk disk, SafeFileHandle output, Guid uniqueId, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(output);
        long size = disk.Size;
        long blocks = (size + BlockSize - 1) / BlockSize;
        if (size < 0 || blocks > MaxBlocks) throw new ArgumentOutOfRangeException(nameof(size), size, $"a VDI holds at most {MaxBlocks} blocks of 1 MiB");
        long dataOffset = (MapOffset + blocks * 4 + BlockSize - 1) / BlockSize * BlockSize;
        var map = new byte[blocks * 4]; // as written: little-endian block numbers
        uint allocated = 0;
        RandomAccess.SetLength(output, 0);
        DataBlocks.Scan(disk, BlockSize, progress, (b, data) =>
        {
            if (data.IsEmpty)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(map.AsSpan((int)(b * 4)), Free);
                return;
            }

            RandomAccess.Write(output, data, dataOffset + (long)allocated * BlockSize);
            BinaryPrimitives.WriteUInt32LittleEndian(map.AsSpan((int)(b * 4)), allocated++);
        });
        RandomAccess.Write(output, Header(size, (uint)blocks, allocated, dataOffset, uniqueId), 0);
        RandomAccess.Write(output, map, MapOffset);
        RandomAccess.SetLength(output, dataOffset + (long)allocated * BlockSize);
    }

    private static byte[] Header(long size, uint blocks, uint allocated, long dataOffset, Guid uniqueId)
    {
        var header = new byte[HeaderEnd];
        var h = header.AsSpan();
        Encoding.ASCII.GetBytes("<<< Oracle VM VirtualBox Disk Image >>>\n", h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[VdiReader.SignatureOffset..], VdiReader.Signature);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x44..], 0x00010001); // version 1.1
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x48..], HeaderEnd - 0x48); // header size
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x4C..], Dynamic);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x154..], MapOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x158..], (uint)dataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x168..], 512); // sector size
        BinaryPrimitives.WriteUInt64LittleEndian(h[0x170..], (ulong)size);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x178..], BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x180..], blocks);
        BinaryPrimitives.WriteUInt32LittleEndian(h[0x184..], allocated);
        uniqueId.TryWriteBytes(h.Slice(0x188, 16)); // image id; the last-snapshot id is the same, link and parent are null
        uniqueId.TryWriteBytes(h.Slice(0x198, 16));
        return header;
    }
}
