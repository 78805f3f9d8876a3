using System.Runtime.InteropServices;

namespace OrleansDedup.Storage.IO;

/// <summary>Makes a directory's entries (a new file, a rename) durable, which fsyncing the file alone does not on POSIX.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY on Linux and macOS

    public static void Flush(string directory)
    {
        // NTFS journals its metadata, and .NET cannot open a directory handle to flush there.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
