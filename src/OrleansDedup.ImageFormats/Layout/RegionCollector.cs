using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansDedup.ImageFormats.Layout;

/// <summary>
/// Gathers the ranges a reader finds (tables, guest data, compressed grains), rejects overlaps and fills the rest of
/// the file with metadata. What a file's tables can make it do is bounded by the file, not by what they claim: the
/// claims may not add up to more bytes than the file has, their records may not take more memory than its
/// <see cref="LayoutBudget"/> allows, and a repeated table that another entry already uses, or a table that overlaps
/// one of the file's structures, is refused when it is met, before it is read.
/// </summary>
internal sealed class RegionCollector(ImageFile file)
{
    /// <summary>What one claim costs in the list; charged against the budget for every claim kept.</summary>
    private static readonly int ClaimBytes = Unsafe.SizeOf<Claim>();

    private readonly List<Claim> _claims = [];
    private readonly List<string> _names = [];
    private readonly List<Claim> _structures = [];
    private readonly long _budget = file.Budget.For(file.Length);
    private TableSet? _tables;
    private long _claimedBytes;
    private long _memory;

    /// <summary>
    /// A claimed range: offsets, its kind, how far it may run into a compressed successor (Slack) and an index into
    /// the few constant names, in 28 bytes, since a hostile file may make millions of them.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct Claim(long FileOffset, long Length, long GuestOffset, byte KindCode, byte Name, ushort Slack)
    {
        public RegionKind Kind => (RegionKind)KindCode;

        public long FileEnd => FileOffset + Length;
    }

    /// <summary>Claims one of the file's own structures (header, L1 table, grain directory, block map), refusing it at
    /// once if it overlaps another; the caller has bounds-checked it with <see cref="ImageFile.Contains"/>.</summary>
    public void Structure(long offset, long length, string name)
    {
        var claim = New(offset, length, RegionKind.Metadata, -1, name);
        foreach (var other in _structures)
        {
            if (other.FileOffset < claim.FileEnd && claim.FileOffset < other.FileEnd && length > 0 && other.Length > 0)
            {
                throw file.Bad($"{Describe(claim)} overlaps {Describe(other)}");
            }
        }

        _structures.Add(claim);
        Add(claim);
    }

    /// <summary>Claims a table that entry <paramref name="entry"/> of its owner points at (an L2 table, a grain table),
    /// refusing at once one that another entry already uses or that overlaps a table or structure.</summary>
    public void Table(long offset, long length, string name, string owner, long entry)
    {
        _tables ??= new TableSet(file, length, name, owner);
        foreach (var other in _structures)
        {
            if (other.FileOffset < offset + length && offset < other.FileEnd)
            {
                throw file.Bad($"{owner} {entry} points at a {name} at 0x{offset:x}, inside the {Describe(other)}");
            }
        }

        _tables.Add(offset, entry);
        Charge(TableSet.BytesPerTable, offset, name);
        Add(New(offset, length, RegionKind.Metadata, -1, name));
    }

    /// <summary>Claims a small per-unit structure (a sector bitmap, a grain marker) the caller has bounds-checked.</summary>
    public void Metadata(long offset, long length, string name) => Add(New(offset, length, RegionKind.Metadata, -1, name));

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

        Add(New(offset, length, RegionKind.GuestData, guestOffset, "guest data"));
    }

    public void Compressed(long offset, long length, long guestOffset) =>
        Add(New(offset, length, RegionKind.CompressedGuestData, guestOffset, "compressed grain"));

    /// <summary>
    /// qcow2 packs compressed clusters byte by byte while their descriptors round up to whole sectors, so such a
    /// range may run up to 511 bytes into the next compressed cluster; it is clipped when the cover is built and
    /// only the bytes it surely owns count against the budget.
    /// </summary>
    public void SectorRoundedCompressed(long offset, long length, long guestOffset) =>
        Add(New(offset, length, RegionKind.CompressedGuestData, guestOffset, "compressed cluster", slack: 511));

    public IReadOnlyList<ImageRegion> Cover()
    {
        _claims.Sort(static (a, b) => a.FileOffset != b.FileOffset ? a.FileOffset.CompareTo(b.FileOffset) : a.Length.CompareTo(b.Length));
        // Gaps between claims add metadata regions, but consecutive metadata merges: about one region per claim.
        var regions = new List<ImageRegion>(_claims.Count + 1);
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

    private Claim New(long offset, long length, RegionKind kind, long guestOffset, string name, int slack = 0)
    {
        int index = 0;
        while (index < _names.Count && !ReferenceEquals(_names[index], name))
        {
            index++;
        }

        if (index == _names.Count)
        {
            _names.Add(name);
        }

        return new Claim(offset, length, guestOffset, (byte)kind, (byte)index, (ushort)slack);
    }

    private void Add(Claim claim)
    {
        if (claim.Length <= 0)
        {
            return;
        }

        Count(Math.Max(1, claim.Length - claim.Slack), claim);
        Charge(ClaimBytes, claim.FileOffset, _names[claim.Name]);
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

    /// <summary>Charges what a record costs; the cover built from the claims costs about as much again.</summary>
    private void Charge(int bytes, long offset, string name)
    {
        _memory += bytes;
        if (_memory > _budget)
        {
            throw file.Bad($"tables map more than {_claims.Count} ranges, more than a file of {file.Length} bytes can hold (at the {name} at 0x{offset:x}); " +
                $"their bookkeeping would pass {_budget} bytes");
        }
    }

    private string Describe(Claim claim) => claim.Kind == RegionKind.Metadata
        ? $"{_names[claim.Name]} at 0x{claim.FileOffset:x} (+{claim.Length} bytes)"
        : $"{_names[claim.Name]} at 0x{claim.FileOffset:x} (+{claim.Length} bytes) for guest offset 0x{claim.GuestOffset:x}";
}
