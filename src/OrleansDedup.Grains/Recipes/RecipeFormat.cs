namespace OrleansDedup.Grains.Recipes;

/// <summary>
/// A recipe file describes one segment: magic, segment offset and length, then entries, then an end mark,
/// the segment digest and the entry count. An entry is a varint of (length &lt;&lt; 1 | zero flag), followed by the
/// 32-byte fingerprint unless it is a zero run. A truncated or altered file fails to read.
/// </summary>
internal static class RecipeFormat
{
    public static ReadOnlySpan<byte> Magic => "ODRCP001"u8;

    public const int MaxEntryBytes = 5 + 32;
}
