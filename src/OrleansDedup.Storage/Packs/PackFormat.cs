using System.Globalization;

namespace OrleansDedup.Storage.Packs;

/// <summary>Pack file layout: <c>"ODPACK02"</c>, then frames (<see cref="FrameHeader"/>): groups of neighbouring
/// chunks written together and compressed as one, so that a chunk's bytes are a range of its frame's raw data.</summary>
internal static class PackFormat
{
    public static ReadOnlySpan<byte> Magic => "ODPACK02"u8;

    public const int MagicSize = 8;

    private const string Prefix = "pack-";
    private const string Extension = ".pack";

    public const string SearchPattern = Prefix + "*" + Extension;

    public static string FileName(int packId) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{packId:D8}{Extension}");

    public static bool TryParseId(string fileName, out int packId)
    {
        packId = 0;
        return fileName.StartsWith(Prefix, StringComparison.Ordinal)
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && int.TryParse(fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Extension.Length),
                NumberStyles.None, CultureInfo.InvariantCulture, out packId);
    }
}
