namespace OrleansDedup.Migration;

/// <summary>What deduplication does to the bytes of a migration: the share of pages that are all zero, the share whose
/// content the destination holds already (it has the fingerprint), and the rest, which is new and crosses the wire.
/// Re-dirtied pages (pre-copy rounds after the first) have their own hit rate: a page rewritten by the guest is far
/// less likely to match something the destination holds than a page of the first full pass.</summary>
/// <param name="ZeroFraction">Share of first-pass bytes in all-zero pages: sent as a marker.</param>
/// <param name="DuplicateFraction">Share of first-pass bytes the destination holds by content: sent as a fingerprint.</param>
/// <param name="RedirtiedZeroFraction">Share of re-dirtied bytes that are zero pages.</param>
/// <param name="RedirtiedDuplicateFraction">Share of re-dirtied bytes the destination holds by content.</param>
/// <param name="PageSize">Granularity of the filter (4 KiB, the grid's block size).</param>
/// <param name="ZeroMarkerBytes">Wire bytes of a zero-page marker (page offset and flag).</param>
/// <param name="ReferenceBytes">Wire bytes of a duplicate-page reference (32-byte SHA-256 fingerprint and offset).</param>
/// <param name="NewPageOverheadBytes">Wire bytes of header that accompany each new page (offset); 0 for CloudSim.</param>
public sealed record DedupFilter(
    double ZeroFraction,
    double DuplicateFraction,
    double RedirtiedZeroFraction,
    double RedirtiedDuplicateFraction,
    int PageSize = 4096,
    int ZeroMarkerBytes = 8,
    int ReferenceBytes = 40,
    int NewPageOverheadBytes = 0)
{
    /// <summary>No deduplication at all: every byte is sent as it is, with no per-page overhead.</summary>
    public static DedupFilter None { get; } = new(0, 0, 0, 0, ZeroMarkerBytes: 0, ReferenceBytes: 0);

    /// <summary>The same hit rates for the first pass and for re-dirtied pages.</summary>
    public static DedupFilter Uniform(double zero, double duplicate) => new(zero, duplicate, zero, duplicate);

    public void Validate()
    {
        static void Check(double z, double d, string what)
        {
            if (z < 0 || d < 0 || z + d > 1 + 1e-12 || double.IsNaN(z + d))
                throw new ArgumentException($"The {what} zero and duplicate fractions must be non-negative and add up to at most 1 (got {z} and {d}).");
        }
        Check(ZeroFraction, DuplicateFraction, "first-pass");
        Check(RedirtiedZeroFraction, RedirtiedDuplicateFraction, "re-dirtied");
        if (PageSize <= 0 || ZeroMarkerBytes < 0 || ReferenceBytes < 0 || NewPageOverheadBytes < 0)
            throw new ArgumentException("The page size must be positive and the marker sizes non-negative.");
    }

    /// <summary>Splits <paramref name="bytes"/> of one class by the filter.</summary>
    public Transfer Apply(double bytes, bool redirtied)
    {
        if (bytes <= 0) return Transfer.Empty;
        var zero = bytes * (redirtied ? RedirtiedZeroFraction : ZeroFraction);
        var duplicate = bytes * (redirtied ? RedirtiedDuplicateFraction : DuplicateFraction);
        var fresh = Math.Max(0, bytes - zero - duplicate);
        var metadata = zero / PageSize * ZeroMarkerBytes + duplicate / PageSize * ReferenceBytes + fresh / PageSize * NewPageOverheadBytes;
        return new Transfer(fresh, metadata, zero, duplicate, 0);
    }
}

/// <summary>Bytes of one class (memory or disk) after the filter: what crosses the wire (payload plus metadata) and what
/// was saved, by reason. <see cref="SavedCompression"/> is what compressing the payload on the wire saved.</summary>
public readonly record struct Transfer(double Payload, double Metadata, double SavedZero, double SavedDedup, double SavedPresent,
    double SavedCompression = 0)
{
    public static Transfer Empty => default;

    /// <summary>Bytes that cross the wire.</summary>
    public double Wire => Payload + Metadata;

    /// <summary>Logical bytes this transfer stands for.</summary>
    public double Logical => Payload + SavedZero + SavedDedup + SavedPresent + SavedCompression;

    public static Transfer operator +(Transfer a, Transfer b) => new(a.Payload + b.Payload, a.Metadata + b.Metadata,
        a.SavedZero + b.SavedZero, a.SavedDedup + b.SavedDedup, a.SavedPresent + b.SavedPresent, a.SavedCompression + b.SavedCompression);
}
