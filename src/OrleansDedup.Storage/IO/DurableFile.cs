namespace OrleansDedup.Storage.IO;

/// <summary>Writes a whole file so that it is either absent or complete after a crash: a temporary file, fsynced, then
/// renamed over the name, then the directory synced so that the rename itself survives.</summary>
public static class DurableFile
{
    /// <param name="syncDirectory">False when the caller writes many files into one directory and syncs it once after
    /// them (<see cref="SyncDirectory"/>).</param>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool syncDirectory = true)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            Rename(temporary, path, syncDirectory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Makes <paramref name="temporary"/>, written by the caller (streamed, or by another component), durable
    /// under <paramref name="path"/>: fsyncs it, renames it over the name and syncs the directory. On failure the caller
    /// still owns (and deletes) the temporary file.</summary>
    public static void Publish(string temporary, string path)
    {
        using (var handle = File.OpenHandle(temporary, FileMode.Open, FileAccess.ReadWrite))
            RandomAccess.FlushToDisk(handle);
        Rename(temporary, path, syncDirectory: true);
    }

    public static void SyncDirectory(string directory) => DirectorySync.Flush(directory);

    private static void Rename(string temporary, string path, bool syncDirectory)
    {
        File.Move(temporary, path, overwrite: true);
        if (syncDirectory) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
