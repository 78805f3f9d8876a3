namespace OrleansDedup.ImageFormats;

/// <summary>
/// Gathers the ranges a reader finds (tables, guest data, compressed grains), rejects overlaps and fills the
/// rest of the file with metadata. Refusing claims that add up to more bytes than the file has bounds the work
/// and memory a corrupt table can cause: tables pointed at twice are caught before they are read again.
/// </summary>
internal sealed class RegionCollector(ImageFile file)
{
    private readonly List<Claim> _claims = [];
    private long _claimedBytes;

    /// <summary>
    /// A claimed range; Name is a constant, so claiming allocates nothing but list growth. Slack is how far the
    /// claim may run into a compressed successor.
    /// </summary>
    private readonly record struct Claim(long FileOffset, long Length, RegionKind Kind, long GuestOffset, string Name, int Slack = 0)
    {
        public long FileEnd => FileOffset + Length;
    }

    /// <summary>Claims a structure the caller has bounds-checked with <see cref="ImageFile.Contains"/>.</summary>
    public void Metadata(long offset, long length, string name) => Add(new Claim(offset, length, RegionKind.Metadata, -1, name));

    public void GuestData(long offset, long length, long guestOffset)
    {
        if (_claims.Count > 0)
        {
            var last = _claims[^1];
            if (last.Kind == RegionKind.GuestData && last.FileEnd == offset && last.GuestOffset + last.Length == guestOffset)
            {
                Count(length, last);
                _claims[^1] = last with { Length = last.Length + length };
                return;
            }
        }

        Add(new Claim(offset, length, RegionKind.GuestData, guestOffset, "guest data"));
    }

    public void Compressed(long offset, long length, long guestOffset) =>
        Add(new Claim(offset, length, RegionKind.CompressedGuestData, guestOffset, "compressed grain"));

    /// <summary>
    /// qcow2 packs compressed clusters byte by byte while their descriptors round up to whole sectors, so such a
    /// range may run up to 511 bytes into the next compressed cluster; it is clipped when the cover is built and
    /// only the bytes it surely owns count against the budget.
    /// </summary>
    public void SectorRoundedCompressed(long offset, long length, long guestOffset) =>
        Add(new Claim(offset, length, RegionKind.CompressedGuestData, guestOffset, "compressed cluster", Slack: 511));

    public IReadOnlyList<ImageRegion> Cover()
    {
        _claims.Sort(static (a, b) => a.FileOffset != b.FileOffset ? a.FileOffset.CompareTo(b.FileOffset) : a.Length.CompareTo(b.Length));
        var regions = new List<ImageRegion>(_claims.Count * 2 + 1);
        long position = 0;
        for (int i = 0; i < _claims.Count; i++)
        {
            var claim = _claims[i];
            if (claim.FileOffset < position)
            {
                throw file.Bad($"{Describe(claim)} overlaps {Describe(_claims[i - 1])}");
            }

            if (claim.Slack > 0 && i + 1 < _claims.Count)
            {
                var next = _claims[i + 1];
                if (next.Kind == RegionKind.CompressedGuestData && next.FileOffset > claim.FileOffset && next.FileOffset < claim.FileEnd
                    && claim.FileEnd - next.FileOffset <= claim.Slack)
                {
                    claim = claim with { Length = next.FileOffset - claim.FileOffset };
                }
            }

            Append(regions, position, claim.FileOffset - position, RegionKind.Metadata, -1);
            Append(regions, claim.FileOffset, claim.Length, claim.Kind, claim.GuestOffset);
            position = claim.FileEnd;
        }

        Append(regions, position, file.Length - position, RegionKind.Metadata, -1);
        return regions;
    }

    private static void Append(List<ImageRegion> regions, long offset, long length, RegionKind kind, long guestOffset)
    {
        if (length <= 0)
        {
            return;
        }

        if (regions.Count > 0 && kind != RegionKind.CompressedGuestData)
        {
            var last = regions[^1];
            if (last.Kind == kind && (kind == RegionKind.Metadata || last.GuestOffset + last.Length == guestOffset))
            {
                regions[^1] = last with { Length = last.Length + length };
                return;
            }
        }

        regions.Add(new ImageRegion(offset, length, kind, guestOffset));
    }

    private void Add(Claim claim)
    {
        if (claim.Length <= 0)
        {
            return;
        }

        Count(Math.Max(1, claim.Length - claim.Slack), claim);
        _claims.Add(claim);
    }

    private void Count(long length, Claim claim)
    {
        _claimedBytes += length;
        if (_claimedBytes > file.Length)
        {
            throw file.Bad($"tables and data claim more bytes than the file's {file.Length}, so some overlap (at {Describe(claim)})");
        }
    }

    private static string Describe(Claim claim) => claim.Kind == RegionKind.Metadata
        ? $"{claim.Name} at 0x{claim.FileOffset:x} (+{claim.Length} bytes)"
        : $"{claim.Name} at 0x{claim.FileOffset:x} (+{claim.Length} bytes) for guest offset 0x{claim.GuestOffset:x}";
}
