namespace OrleansDedup.ImageFormats;

/// <summary>
/// Gathers the ranges a reader finds (tables, guest data, compressed grains), rejects overlaps and fills the
/// rest of the file with metadata. Claims that would add up to more than the file bounds the work a corrupt
/// table can cause: every claimed structure is read at most once per byte of the file.
/// </summary>
internal sealed class RegionCollector(ImageFile file)
{
    private readonly List<Claim> _claims = [];
    private long _claimedBytes;

    /// <summary>A claimed range; Name is a constant, so claiming allocates nothing but list growth.</summary>
    private readonly record struct Claim(long FileOffset, long Length, RegionKind Kind, long GuestOffset, string Name)
    {
        public long FileEnd => FileOffset + Length;
    }

    /// <summary>Claims a structure the caller has bounds-checked with <see cref="ImageFile.Contains"/>.</summary>
    public void Metadata(long offset, long length, string name) => Add(new Claim(offset, length, RegionKind.Metadata, -1, name), counted: true);

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

        Add(new Claim(offset, length, RegionKind.GuestData, guestOffset, "guest data"), counted: true);
    }

    /// <summary>
    /// qcow2 packs compressed clusters byte by byte while their descriptors round up to whole sectors, so
    /// compressed ranges may overlap their successor by less than a sector; they are left out of the byte budget
    /// and clipped when the cover is built.
    /// </summary>
    public void Compressed(long offset, long length, long guestOffset, bool counted) =>
        Add(new Claim(offset, length, RegionKind.CompressedGuestData, guestOffset, "compressed data"), counted);

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

            if (claim.Kind == RegionKind.CompressedGuestData && i + 1 < _claims.Count)
            {
                var next = _claims[i + 1];
                if (next.Kind == RegionKind.CompressedGuestData && next.FileOffset > claim.FileOffset && next.FileOffset < claim.FileEnd
                    && claim.FileEnd - next.FileOffset < 512)
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

    private void Add(Claim claim, bool counted)
    {
        if (claim.Length <= 0)
        {
            return;
        }

        if (counted)
        {
            Count(claim.Length, claim);
        }

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
