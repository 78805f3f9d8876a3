namespace OrleansDedup.Storage.IO;

/// <summary>Writes a whole file so that it is either absent or complete after a crash: a temporary file, fsynced, then
/// renamed over the name, then the directory synced so that the rename itself survives.</summary>
public static class DurableFile
{
    private static long _temporaries;

    /// <param name="syncDirectory">False when the caller writes many files into one directory and syncs it once after
    /// them (<see cref="SyncDirectory"/>).</param>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool syncDirectory = true) =>
        PublishOrDelete(WriteTemporary(path, bytes), path, syncDirectory);

    /// <summary>As <see cref="Write"/> with the directory left to the caller, but only the bytes are written here: the
    /// returned task fsyncs them and renames the file on the thread pool, so that a writer of many files does not wait on
    /// each fsync. Until the task completes the file is absent under <paramref name="path"/>.</summary>
    public static Task WriteInBackground(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = WriteTemporary(path, bytes);
        return Task.Run(() => PublishOrDelete(temporary, path, syncDirectory: false));
    }

    /// <summary>Makes <paramref name="temporary"/>, written by the caller (streamed, or by another component), durable
    /// under <paramref name="path"/>: fsyncs it, renames it over the name and syncs the directory. On failure the caller
    /// still owns (and deletes) the temporary file.</summary>
    public static void Publish(string temporary, string path, bool syncDirectory = true)
    {
        using (var handle = File.OpenHandle(temporary, FileMode.Open, FileAccess.ReadWrite))
            RandomAccess.FlushToDisk(handle);
        Rename(temporary, path, syncDirectory);
    }

    public static void SyncDirectory(string directory) => DirectorySync.Flush(directory);

    /// <summary>Writes the bytes to a temporary file beside <paramref name="path"/>, not yet durable; returns its name.</summary>
    private static string WriteTemporary(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = Temporary(path);
        try
        {
            File.WriteAllBytes(temporary, bytes);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return temporary;
    }

    private static void PublishOrDelete(string temporary, string path, bool syncDirectory)
    {
        try
        {
            Publish(temporary, path, syncDirectory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>A name no other write of this process uses: two writers of the same file (the same recipe run, stored
    /// by two segments at once) each write their own copy.</summary>
    private static string Temporary(string path) => $"{path}.{Environment.ProcessId}.{Interlocked.Increment(ref _temporaries)}.tmp";

    private static void Rename(string temporary, string path, bool syncDirectory)
    {
        File.Move(temporary, path, overwrite: true);
        if (syncDirectory) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
