using Microsoft.Win32.SafeHandles;
using OrleansDedup.Chunking;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>
/// The parts of a file range that hold data. A restored image has its recipe's zero runs as holes, so asking the file
/// system (SEEK_DATA) for them costs its extents, never the range's size. Asked a window at a time, so that a
/// fragmented file costs bounded memory.
/// </summary>
internal static class GuestExtents
{
    private const long Window = 1L << 30;

    /// <summary>Below this a range is taken as data: cheaper to read than two system calls, and zeros are skipped anyway.</summary>
    private const long SmallRange = 1 << 20;

    public static IEnumerable<(long Offset, long Length)> FileData(SafeFileHandle file, long offset, long length)
    {
        if (length < SmallRange)
        {
            if (length > 0) yield return (offset, length);
            yield break;
        }

        for (long at = offset, end = offset + length; at < end; at += Window)
        {
            foreach (var extent in SparseRegions.DataRegions(file, at, Math.Min(end, at + Window)))
                yield return extent;
        }
    }
}
