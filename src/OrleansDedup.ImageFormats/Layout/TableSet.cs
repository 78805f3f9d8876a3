namespace OrleansDedup.ImageFormats.Layout;

/// <summary>
/// The repeated tables of one kind (qcow2 L2 tables, VMDK grain tables), all of one length: a table that another
/// entry already uses, or that overlaps one, is refused the moment it is met, so no table is read or claimed twice.
/// Each table sits in the slot of its length its start falls in; two starts in one slot overlap, so a new table need
/// only be compared with the tables of its own and the two neighbouring slots.
/// </summary>
internal sealed class TableSet(ImageFile file, long length, string name, string owner)
{
    /// <summary>What one table costs in the dictionary: key, value, hash and link, and its bucket.</summary>
    public const int BytesPerTable = 40;

    private readonly Dictionary<long, (long Start, long Entry)> _slots = [];

    public string Name => name;

    /// <summary>Records the table at <paramref name="offset"/> that entry <paramref name="entry"/> of the owner points at.</summary>
    public void Add(long offset, long entry)
    {
        long slot = offset / length;
        for (long s = slot - 1; s <= slot + 1; s++)
        {
            if (_slots.TryGetValue(s, out var other) && other.Start < offset + length && offset < other.Start + length)
            {
                throw file.Bad(other.Start == offset
                    ? $"{owner} {entry} points at the {name} at 0x{offset:x}, which {owner} {other.Entry} already uses"
                    : $"{owner} {entry} points at a {name} at 0x{offset:x}, which overlaps the {name} of {owner} {other.Entry} at 0x{other.Start:x}");
            }
        }

        _slots.Add(slot, (offset, entry));
    }
}
