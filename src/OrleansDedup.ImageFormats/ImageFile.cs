using System.Buffers;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.ImageFormats;

/// <summary>Positional reads of a container file that refuse to go past its end, with errors naming the format, and
/// what reading its tables may cost.</summary>
internal sealed class ImageFile(SafeFileHandle handle, long length, string format, LayoutBudget budget)
{
    public long Length => length;

    public LayoutBudget Budget => budget;

    public string Format => format;

    public bool Contains(long offset, long size) => offset >= 0 && size >= 0 && offset <= length && size <= length - offset;

    public void Read(long offset, Span<byte> buffer, string what)
    {
        if (!Contains(offset, buffer.Length))
        {
            throw Beyond(what, offset, buffer.Length);
        }

        int read = ReadUpTo(handle, buffer, offset);
        if (read < buffer.Length)
        {
            throw new IOException($"{format} {what}: the file ended at 0x{offset + read:x} while being read; was it truncated?");
        }
    }

    /// <summary>The entries of a table of <paramref name="width"/>-byte (4 or 8) integers, read in bounded pieces, so
    /// that what a table costs in memory does not depend on the size its header claims.</summary>
    public IEnumerable<(long Index, ulong Value)> Entries(long offset, long count, int width, bool bigEndian, string what)
    {
        byte[] piece = ArrayPool<byte>.Shared.Rent(Limits.TableChunkBytes);
        try
        {
            for (long first = 0; first < count; first += Limits.TableChunkBytes / width)
            {
                int n = (int)Math.Min(Limits.TableChunkBytes / width, count - first);
                Read(offset + first * width, piece.AsSpan(0, n * width), what);
                for (int k = 0; k < n; k++)
                {
                    ulong value = Decode(piece, k * width, width, bigEndian);
                    yield return (first + k, value);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    private static ulong Decode(byte[] bytes, int at, int width, bool bigEndian) => (width, bigEndian) switch
    {
        (4, true) => Endian.Be32(bytes, at),
        (4, false) => Endian.Le32(bytes, at),
        (8, true) => Endian.Be64(bytes, at),
        _ => Endian.Le64(bytes, at),
    };

    /// <summary>Reads until the buffer is full or the file ends; the count read.</summary>
    public static int ReadUpTo(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public ImageFormatException Beyond(string what, long offset, long size) =>
        new($"{format} {what} at 0x{offset:x} (+{size} bytes) lies beyond the end of the file ({length} bytes)");

    public ImageFormatException Bad(string message) => new($"{format} {message}");
}
