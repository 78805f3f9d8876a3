namespace OrleansDedup.Storage;

/// <summary>Writes a whole file so that it is either absent or complete after a crash: a temporary file, fsynced, then
/// renamed over the name, then the directory synced so that the rename itself survives.</summary>
public static class DurableFile
{
    /// <param name="syncDirectory">False when the caller writes many files into one directory and syncs it once after
    /// them (<see cref="SyncDirectory"/>).</param>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool syncDirectory = true)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        if (syncDirectory) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static void SyncDirectory(string directory) => DirectorySync.Flush(directory);
}
