using System.Globalization;

namespace OrleansDedup.Cli.Rendering;

/// <summary>Byte counts for people: 1.5 GiB in, "64M" out.</summary>
public static class Sizes
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Format(double bytes)
    {
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes:0} B" : $"{bytes:0.0} {Units[unit]}";
    }

    public static long Parse(string text)
    {
        var t = text.Trim().ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        long multiplier = 1;
        if (t.Length > 0 && "KMGT".Contains(t[^1]))
        {
            multiplier = 1L << (10 * ("KMGT".IndexOf(t[^1]) + 1));
            t = t[..^1];
        }
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw new UserError($"'{text}' is not a size; write e.g. 4096, 64M or 1G", ExitCodes.Usage);
        return n * multiplier;
    }
}
