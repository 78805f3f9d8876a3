using System.Globalization;

namespace OrleansDedup.Storage.Compression;

/// <summary>How a store compresses the frames of new chunks it writes to its packs.</summary>
public enum CompressionMode
{
    /// <summary>Frames are stored as they are.</summary>
    None,

    /// <summary>Every frame is compressed with zstd; one that does not shrink is stored as it is.</summary>
    Zstd,

    /// <summary>Like <see cref="Zstd"/>, but a frame that saves less than 1/32 is stored as it is (already compressed
    /// files, encrypted data), so reading it costs no decompression; zstd finds such data out at several GB/s.</summary>
    Auto,
}

/// <summary>A store's compression: chosen when the store is made, recorded in its manifest, and parsed from
/// <c>none</c>, <c>zstd</c>, <c>zstd:LEVEL</c>, <c>auto</c> or <c>auto:LEVEL</c>.</summary>
[System.ComponentModel.TypeConverter(typeof(CompressionSettingsConverter))]
public sealed record CompressionSettings(CompressionMode Mode, int Level)
{
    public const int DefaultLevel = 3;

    public static readonly CompressionSettings None = new(CompressionMode.None, 0);

    /// <summary>The default of a new store: zstd level 3, with incompressible frames detected and stored as they are.</summary>
    public static readonly CompressionSettings Default = new(CompressionMode.Auto, DefaultLevel);

    /// <exception cref="FormatException">The text names no mode, or a level outside zstd's 1..19.</exception>
    public static CompressionSettings Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':', 2);
        var mode = parts[0] switch
        {
            "none" => CompressionMode.None,
            "zstd" => CompressionMode.Zstd,
            "auto" => CompressionMode.Auto,
            _ => throw new FormatException($"unknown compression '{text}': use none, zstd[:LEVEL] or auto[:LEVEL]"),
        };
        if (mode == CompressionMode.None)
            return parts.Length == 1 ? None : throw new FormatException("compression 'none' takes no level");
        var level = DefaultLevel;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out level) || level is < 1 or > 19))
            throw new FormatException($"the zstd level in '{text}' must be a number from 1 to 19");
        return new CompressionSettings(mode, level);
    }

    public override string ToString() => Mode switch
    {
        CompressionMode.None => "none",
        CompressionMode.Zstd => string.Create(CultureInfo.InvariantCulture, $"zstd:{Level}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"auto:{Level}"),
    };
}
