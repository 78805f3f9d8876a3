using System.Buffers.Binary;
using System.IO.Hashing;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Storage.Packs;

/// <summary>
/// The head of a frame record: <c>[u32 stored length][u32 raw length][u16 chunks][u8 codec][u8 0][u32 CRC-32]</c>, then
/// a table of <c>[32-byte fingerprint][u32 length]</c> per chunk, then the stored data. The CRC covers the head's first
/// 12 bytes and the table, so a damaged length or fingerprint is found before it is trusted.
/// </summary>
internal readonly record struct FrameHeader(int StoredLength, int RawLength, int ChunkCount, FrameCodec Codec)
{
    public const int Size = 16;

    public const int TableEntrySize = Fingerprint.Size + sizeof(uint);

    public const int MaxChunks = ushort.MaxValue;

    /// <summary>No writer makes a larger frame; a head that claims one is damaged.</summary>
    public const int MaxRawLength = 64 << 20;

    public int TableLength => ChunkCount * TableEntrySize;

    public long RecordLength => Size + TableLength + (long)StoredLength;

    public void Write(Span<byte> head, ReadOnlySpan<byte> table)
    {
        BinaryPrimitives.WriteInt32LittleEndian(head, StoredLength);
        BinaryPrimitives.WriteInt32LittleEndian(head[4..], RawLength);
        BinaryPrimitives.WriteUInt16LittleEndian(head[8..], (ushort)ChunkCount);
        head[10] = (byte)Codec;
        head[11] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(head[12..], Checksum(head, table));
    }

    /// <summary>Reads a head whose fields are in range; whether it is intact needs the table (<see cref="Matches"/>).</summary>
    public static bool TryRead(ReadOnlySpan<byte> head, out FrameHeader header)
    {
        header = new FrameHeader(
            BinaryPrimitives.ReadInt32LittleEndian(head), BinaryPrimitives.ReadInt32LittleEndian(head[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(head[8..]), (FrameCodec)head[10]);
        return header.ChunkCount > 0 && header.RawLength is >= 0 and <= MaxRawLength && head[11] == 0 && header.Codec switch
        {
            FrameCodec.Stored => header.StoredLength == header.RawLength,
            FrameCodec.Zstd => header.StoredLength > 0 && header.StoredLength < header.RawLength,
            _ => false,
        };
    }

    public static bool Matches(ReadOnlySpan<byte> head, ReadOnlySpan<byte> table) =>
        BinaryPrimitives.ReadUInt32LittleEndian(head[12..]) == Checksum(head, table);

    [ThreadStatic]
    private static Crc32? _crc;

    private static uint Checksum(ReadOnlySpan<byte> head, ReadOnlySpan<byte> table)
    {
        var crc = _crc ??= new Crc32();
        crc.Reset();
        crc.Append(head[..12]);
        crc.Append(table);
        return crc.GetCurrentHashAsUInt32();
    }
}
