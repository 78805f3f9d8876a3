namespace OrleansDedup.Grains.Recipes;

/// <summary>LEB128 unsigned varints: most recipe entry headers fit in two bytes.</summary>
internal static class Varint
{
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static ulong Read(Stream source)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = source.ReadByte();
            if (b < 0) throw new InvalidDataException("The recipe ends in the middle of an entry.");
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("The recipe holds a malformed entry length.");
    }
}
