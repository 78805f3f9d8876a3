using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>A guest disk to read from at any offset: a raw file, or a container seen through its layout.</summary>
public interface IGuestDisk
{
    long Size { get; }

    /// <summary>Fills <paramref name="buffer"/> with the guest bytes at <paramref name="offset"/>; the range lies within
    /// <see cref="Size"/>, and what nothing maps reads as zeros.</summary>
    void Read(Span<byte> buffer, long offset);

    /// <summary>The guest ranges that may hold data, ascending and disjoint; the rest reads as zeros. Found from the
    /// layout and the file's holes, so listing them costs the data's extents, never the disk's size.</summary>
    IEnumerable<(long Offset, long Length)> DataExtents();
}

/// <summary>A raw disk image: the guest bytes are the file's.</summary>
public sealed class RawGuestDisk(SafeFileHandle file, long size) : IGuestDisk
{
    public long Size => size;

    public void Read(Span<byte> buffer, long offset)
    {
        if (ImageFile.ReadUpTo(file, buffer, offset) != buffer.Length)
        {
            throw new IOException($"the raw disk ended at 0x{offset:x}, before its {size} bytes");
        }
    }

    public IEnumerable<(long Offset, long Length)> DataExtents() => GuestExtents.FileData(file, 0, size);
}

/// <summary>
/// The guest disk a container holds, read in place through its layout: a guest range is assembled from the regions
/// that map it (data copied, compressed units inflated, the last one kept), without writing the raw disk out first.
/// </summary>
public sealed class ContainerGuestDisk : IGuestDisk
{
    private readonly SafeFileHandle _container;
    private readonly ImageLayout _layout;
    private readonly ImageRegion[] _byGuest;
    private readonly byte[] _unit;
    private int _inflated = -1;
    private int _inflatedLength;

    public ContainerGuestDisk(SafeFileHandle container, ImageLayout layout)
    {
        _container = container;
        _layout = layout;
        _byGuest = [.. layout.Regions.Where(r => r.Kind != RegionKind.Metadata).OrderBy(r => r.GuestOffset)];
        _unit = _byGuest.Any(r => r.Kind == RegionKind.CompressedGuestData) ? new byte[layout.CompressedUnitSize] : [];
    }

    public long Size => _layout.VirtualSize;

    public void Read(Span<byte> buffer, long offset)
    {
        buffer.Clear();
        long end = offset + buffer.Length;
        for (int i = First(offset); i < _byGuest.Length && _byGuest[i].GuestOffset < end; i++)
        {
            var region = _byGuest[i];
            long from = Math.Max(offset, region.GuestOffset);
            long to = Math.Min(end, region.GuestOffset + GuestLength(region));
            if (from >= to) continue;
            var target = buffer.Slice((int)(from - offset), (int)(to - from));
            if (region.Kind == RegionKind.GuestData)
            {
                if (ImageFile.ReadUpTo(_container, target, region.FileOffset + (from - region.GuestOffset)) != target.Length)
                {
                    throw new IOException($"the container ended inside the guest data at 0x{region.FileOffset:x}; was it truncated?");
                }
            }
            else
            {
                if (_inflated != i)
                {
                    _inflatedLength = CompressedUnits.Inflate(_container, _layout, region, _unit);
                    _inflated = i;
                }

                var unit = _unit.AsSpan(0, _inflatedLength);
                long at = from - region.GuestOffset;
                if (at < unit.Length) unit.Slice((int)at, (int)Math.Min(target.Length, unit.Length - at)).CopyTo(target);
            }
        }
    }

    public IEnumerable<(long Offset, long Length)> DataExtents()
    {
        foreach (var region in _byGuest)
        {
            if (region.Kind == RegionKind.CompressedGuestData)
            {
                yield return Clip(region.GuestOffset, GuestLength(region));
                continue;
            }

            foreach (var (file, length) in GuestExtents.FileData(_container, region.FileOffset, region.Length))
                yield return Clip(region.GuestOffset + (file - region.FileOffset), length);
        }
    }

    private (long Offset, long Length) Clip(long offset, long length) => (offset, Math.Max(0, Math.Min(length, Size - offset)));

    private long GuestLength(ImageRegion region) =>
        region.Kind == RegionKind.GuestData ? region.Length : CompressedUnits.UnitLength(_layout, region);

    /// <summary>The first region that may map <paramref name="offset"/>: the last one starting at or before it.</summary>
    private int First(long offset)
    {
        int low = 0, high = _byGuest.Length - 1, found = 0;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (_byGuest[mid].GuestOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
