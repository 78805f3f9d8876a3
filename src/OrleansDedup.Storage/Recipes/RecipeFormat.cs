using System.Buffers.Binary;

namespace OrleansDedup.Storage.Recipes;

/// <summary>
/// A segment's recipe is split in two so that the same guest in another container, or a similar guest, shares it:
/// <list type="bullet">
/// <item><b>Runs</b> (<see cref="RecipeRuns"/>): the segment's whole-block data entries of guest data, cut where a fingerprint's low bits
/// are zero (content-defined, like chunks, so that two recipes of the same blocks cut alike wherever they start) and
/// stored once per content under their SHA-256. A run is, per entry, a varint of (length − block) and the fingerprint.</item>
/// <item><b>The recipe file</b>: magic, segment offset and length; the runs' ids with their entry counts; then the other
/// entries (zero runs, a container's headers and tables, pieces shorter than a block: where containers of the same
/// guest differ) each with how many run entries come before it since the previous one; then the segment
/// digest and the entry count. An entry header there is a varint of (length &lt;&lt; 1 | zero flag), followed by the
/// fingerprint unless it is a zero run.</item>
/// </list>
/// The segment digest is SHA-256 over every entry in order (header, then fingerprint), so it does not depend on how the
/// recipe is split. A truncated or altered recipe or run fails to read.
/// </summary>
internal static class RecipeFormat
{
    public static ReadOnlySpan<byte> Magic => "ODRCP002"u8;

    /// <summary>The grid's 4 KiB block: data entries at least this long go into runs, which store a length as its excess
    /// over it. A format constant: every stored recipe depends on it.</summary>
    public const int Block = 4096;

    public const int HeaderBytes = 24, TrailerBytes = 40;

    public const int MaxEntryBytes = Varint.MaxBytes + 32;

    /// <summary>A run holds at least this many entries unless the segment ends…</summary>
    public const int MinRunEntries = 64;

    /// <summary>…ends where a fingerprint matches this mask (512 entries on average, about 17 KB)…</summary>
    public const uint RunBoundaryMask = 511;

    /// <summary>…and holds at most this many.</summary>
    public const int MaxRunEntries = 4096;

    /// <summary>Whether a run ends after an entry with this fingerprint (its 32 bytes), having <paramref name="entries"/>.</summary>
    public static bool EndsRun(ReadOnlySpan<byte> fingerprint, int entries) =>
        entries >= MaxRunEntries
        || (entries >= MinRunEntries && (BinaryPrimitives.ReadUInt32LittleEndian(fingerprint[28..]) & RunBoundaryMask) == 0);
}
