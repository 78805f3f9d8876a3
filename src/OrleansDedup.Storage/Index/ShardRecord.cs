using System.Buffers.Binary;
using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Index;

/// <summary>
/// Journal records of an index shard: an entry as it now is, or its removal. Replaying a record twice changes nothing,
/// which the journal's compaction relies on. There are no reference counts, so meeting a known chunk again writes nothing:
/// a shard's journal grows with its unique chunks, not with the logical data that refers to them.
/// </summary>
internal static class ShardRecord
{
    private const byte ChunkKind = 1, AliasKind = 2, RemovedKind = 3;
    private const int PieceBytes = Fingerprint.Size + 8;

    public const int MaxBytes = 1 + Fingerprint.Size + 1 + 255 * PieceBytes;

    public static int WriteEntry(Span<byte> buffer, in Fingerprint fingerprint, in ShardEntry entry)
    {
        fingerprint.WriteTo(buffer[1..]);
        if (entry.Pieces is null)
        {
            buffer[0] = ChunkKind;
            BinaryPrimitives.WriteInt32LittleEndian(buffer[33..], entry.Location.Pack);
            BinaryPrimitives.WriteInt64LittleEndian(buffer[37..], entry.Location.Frame);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[45..], entry.Location.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[49..], entry.Location.Length);
            return 53;
        }
        buffer[0] = AliasKind;
        buffer[33] = checked((byte)entry.Pieces.Length);
        var at = 34;
        foreach (var piece in entry.Pieces)
        {
            piece.Chunk.WriteTo(buffer[at..]);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[(at + 32)..], piece.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[(at + 36)..], piece.Length);
            at += PieceBytes;
        }
        return at;
    }

    public static int WriteRemoved(Span<byte> buffer, in Fingerprint fingerprint)
    {
        buffer[0] = RemovedKind;
        fingerprint.WriteTo(buffer[1..]);
        return 33;
    }

    public static void Apply(ReadOnlySpan<byte> record, Dictionary<Fingerprint, ShardEntry> entries)
    {
        if (record.Length < 33) throw new InvalidDataException("An index journal record is too short.");
        var fingerprint = Fingerprint.Read(record[1..]);
        switch (record[0])
        {
            case ChunkKind:
                entries[fingerprint] = new ShardEntry(
                    new ChunkLocation(
                        BinaryPrimitives.ReadInt32LittleEndian(record[33..]),
                        BinaryPrimitives.ReadInt64LittleEndian(record[37..]),
                        BinaryPrimitives.ReadInt32LittleEndian(record[45..]),
                        BinaryPrimitives.ReadInt32LittleEndian(record[49..])),
                    null);
                break;
            case AliasKind:
                var pieces = new AliasPiece[record[33]];
                for (int i = 0, at = 34; i < pieces.Length; i++, at += PieceBytes)
                {
                    pieces[i] = new AliasPiece(Fingerprint.Read(record[at..]),
                        BinaryPrimitives.ReadInt32LittleEndian(record[(at + 32)..]),
                        BinaryPrimitives.ReadInt32LittleEndian(record[(at + 36)..]));
                }

                entries[fingerprint] = new ShardEntry(default, pieces);
                break;
            case RemovedKind:
                entries.Remove(fingerprint);
                break;
            default:
                throw new InvalidDataException($"Unknown index journal record kind {record[0]}.");
        }
    }
}
