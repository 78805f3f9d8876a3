using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Storage.IO;

public static class FileReads
{
    /// <summary>Reads until <paramref name="destination"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], offset + total);
            if (read == 0) break;
            total += read;
        }
        return total;
    }
}
