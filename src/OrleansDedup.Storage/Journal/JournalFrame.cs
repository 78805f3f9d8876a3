using System.Buffers.Binary;
using System.IO.Hashing;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Journal;

/// <summary>Frame layout shared by journal log and snapshot: <c>[u32 length LE][payload][u32 CRC-32 of payload LE]</c>.</summary>
internal static class JournalFrame
{
    public const int Overhead = 2 * sizeof(uint);

    /// <summary>Largest payload a frame may carry, so that payload plus checksum fits one array.</summary>
    public const int MaxPayload = int.MaxValue / 2;

    /// <summary>A length no frame can have: closes a snapshot, followed by the record count as u64.</summary>
    public const uint EndMarker = uint.MaxValue;

    public static void Write(BufferedFileWriter writer, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentException($"A journal record holds at most {MaxPayload} bytes.", nameof(payload));
        }

        Span<byte> word = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)payload.Length);
        writer.Write(word);
        writer.Write(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(word, Crc32.HashToUInt32(payload));
        writer.Write(word);
    }

    /// <summary>Reads the frame at <paramref name="position"/>, advancing past it only when it is whole and intact.</summary>
    public static FrameStatus Read(FileWindow window, ref long position, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        var available = window.Length - position;
        if (available == 0)
        {
            return FrameStatus.EndOfFile;
        }

        if (available < sizeof(uint))
        {
            return FrameStatus.Torn;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(window.Read(position, sizeof(uint)));
        if (length == EndMarker)
        {
            return FrameStatus.EndMarker;
        }

        if (length > MaxPayload)
        {
            return FrameStatus.Corrupt;
        }

        if (length > available - Overhead)
        {
            return FrameStatus.Torn;
        }

        var body = window.Read(position + sizeof(uint), (int)length + sizeof(uint));
        payload = body[..(int)length];
        if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(body[(int)length..]))
        {
            payload = default;
            return FrameStatus.Corrupt;
        }

        position += Overhead + length;
        return FrameStatus.Ok;
    }
}

internal enum FrameStatus
{
    Ok,
    EndOfFile,
    EndMarker,
    Torn,
    Corrupt,
}
