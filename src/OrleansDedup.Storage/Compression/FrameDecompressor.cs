using ZstdNet;

namespace OrleansDedup.Storage.Compression;

/// <summary>Decompresses frames with one zstd context per thread: readers run on many threads at once.</summary>
public static class FrameDecompressor
{
    [ThreadStatic]
    private static Decompressor? _context;

    /// <summary>Decodes a zstd frame into exactly <paramref name="destination"/>; false, with the reason, if the bytes are
    /// not a zstd frame of that length.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination, out string? error)
    {
        int written;
        try
        {
            written = (_context ??= new Decompressor()).Unwrap(source, destination, bufferSizePrecheck: false);
        }
        catch (ZstdException e)
        {
            // A failed decode can leave the context mid-frame: start the next one on a fresh context.
            _context?.Dispose();
            _context = null;
            error = $"does not decompress ({e.Message})";
            return false;
        }
        error = written == destination.Length ? null : $"decompresses to {written} bytes, not {destination.Length}";
        return error is null;
    }
}
