using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Storage.IO;

/// <summary>
/// Starts the write-back of a range just written, without waiting for it (Linux <c>sync_file_range</c>): a large file
/// written and then fsynced once would otherwise leave all its bytes to that fsync, after the last write. A hint only:
/// the fsync that follows is what makes the file durable, and where the call is missing nothing changes.
/// </summary>
public static partial class WriteBehind
{
    private const uint SyncFileRangeWrite = 2;

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return;
        _ = SyncFileRange(file, offset, length, SyncFileRangeWrite);
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle file, long offset, long length, uint flags);
}
