using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.GuestDisks;

namespace OrleansDedup.ImageFormats.Vdi;

/// <summary>
/// Writes a guest disk as a dynamic VDI (VirtualBox's disk image, header version 1.1): pre-header, header, block
/// map, then only the 1 MiB blocks that hold data, in guest order; all-zero blocks stay unallocated. One pass over the
/// disk's data; the block map (4 bytes per MiB of disk, all of them "free" but those of the blocks written, as the
/// format wants) is written a piece at a time as the pass goes by.
/// </summary>
internal static class DynamicVdiWriter
{
    /// <summary>The only block size QEMU opens.</summary>
    public const int BlockSize = 1 << 20;

    private const int HeaderEnd = 0x1D8;
    private const int MapOffset = 0x200;
    private const uint Dynamic = 1;
    private const uint Free = 0xFFFFFFFF;
    private const int PieceEntries = 16 << 10; // block map entries written at once: 64 KiB, 16 GiB of disk

    /// <summary>Writes the VDI of <paramref name="disk"/> to <paramref name="output"/> (truncated first);
    /// <paramref name="progress"/> receives the bytes of the disk's data extents as they are read.</summary>
    /// <exception cref="FormatLimitException">The disk is larger than <see cref="GuestDiskLimits.Vdi"/>.</exception>
    public static void Write(IGuestDisk disk, SafeFileHandle output, Guid uniqueId, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(output);
        long size = disk.Size;
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        GuestDiskLimits.Check(ImageFormat.Vdi, size);
        long blocks = (size + BlockSize - 1) / BlockSize;
        long dataOffset = (MapOffset + blocks * 4 + BlockSize - 1) / BlockSize * BlockSize;
        var piece = new byte[PieceEntries * 4]; // as written: little-endian block numbers
        MemoryMarshal.Cast<byte, uint>(piece.AsSpan()).Fill(Free);
        long current = 0; // the piece of the map being filled
        uint allocated = 0;
        RandomAccess.SetLength(output, 0);
        DataBlocks.Scan(disk, BlockSize, progress, cancellation, (b, data) =>
        {
            if (data.IsEmpty) return;
            while (b / PieceEntries != current) FlushPiece();
            RandomAccess.Write(output, data, dataOffset + (long)allocated * BlockSize);
            BinaryPrimitives.WriteUInt32LittleEndian(piece.AsSpan((int)(b % PieceEntries * 4)), allocated++);
        });
        while (current * PieceEntries < blocks)
        {
            cancellation.ThrowIfCancellationRequested();
            FlushPiece();
        }

        RandomAccess.Write(output, Header(size, (uint)blocks, allocated, dataOffset, uniqueId), 0);
        RandomAccess.SetLength(output, dataOffset + (long)allocated * BlockSize);

        void FlushPiece()
        {
            int entries = (int)Math.Min(PieceEntries, blocks - current * PieceEntries);
            RandomAccess.Write(output, piece.AsSpan(0, entries * 4), MapOffset + current * PieceEntries * 4);
            MemoryMarshal.Cast<byte, uint>(piece.AsSpan()).Fill(Free);
            current++;
        }
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
