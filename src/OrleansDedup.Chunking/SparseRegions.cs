using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Chunking;

/// <summary>Finds the allocated extents of a sparse file (a thin VM disk image) so holes are never read.</summary>
public static partial class SparseRegions
{
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int ENXIO = 6;
    private const int EINVAL = 22;

    /// <summary>
    /// The data (non-hole) extents within [start, end), clipped, merged and in order. Without SEEK_DATA support
    /// (file system or OS), the whole range is reported as data. Moves the descriptor's file offset, which .NET's
    /// own reads ignore because they use positional I/O.
    /// </summary>
    public static IReadOnlyList<(long Offset, long Length)> DataRegions(SafeFileHandle file, long start, long end)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);

        var regions = new List<(long Offset, long Length)>();
        if (start == end)
        {
            return regions;
        }

        if (!OperatingSystem.IsLinux())
        {
            regions.Add((start, end - start));
            return regions;
        }

        for (long position = start; position < end;)
        {
            long data = Seek(file, position, SeekData);
            if (data < 0)
            {
                int error = Marshal.GetLastPInvokeError();
                if (error == ENXIO)
                {
                    break;
                }

                if (error == EINVAL && position == start)
                {
                    regions.Add((start, end - start));
                    break;
                }

                throw new Win32Exception(error, $"lseek(SEEK_DATA) failed at offset {position}.");
            }

            if (data >= end)
            {
                break;
            }

            long hole = Seek(file, data, SeekHole);
            if (hole < 0)
            {
                int error = Marshal.GetLastPInvokeError();
                throw new Win32Exception(error, $"lseek(SEEK_HOLE) failed at offset {data}.");
            }

            Add(regions, Math.Max(data, start), Math.Min(hole, end));
            position = hole;
        }

        return regions;
    }

    private static void Add(List<(long Offset, long Length)> regions, long from, long to)
    {
        if (regions.Count > 0 && regions[^1].Offset + regions[^1].Length == from)
        {
            regions[^1] = (regions[^1].Offset, to - regions[^1].Offset);
        }
        else
        {
            regions.Add((from, to - from));
        }
    }

    // off_t is 64-bit on every 64-bit Linux ABI and musl has no lseek64 symbol, so plain lseek is the portable name.
    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Seek(SafeFileHandle fd, long offset, int whence);
}
