using System.Buffers.Binary;

namespace OrleansDedup.ImageFormats;

/// <summary>Short names for the field reads the readers do by the hundred.</summary>
internal static class Endian
{
    public static uint Be32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);

    public static ulong Be64(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt64BigEndian(bytes[at..]);

    public static uint Le32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);

    public static ulong Le64(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
}
