namespace OrleansDedup.Host.Hosting;

/// <summary>
/// A shared lock on the store's <c>.lock</c> file. Silos share a store, so they take it shared; the CLI's embedded
/// mode takes it exclusively. Either one therefore keeps the other off the store instead of both writing to it.
/// (Advisory flock on Linux; file systems that do not support it, e.g. NFS, skip it.)
/// </summary>
public static class StoreLock
{
    public static FileStream Acquire(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, ".lock");
        if (!File.Exists(path))
        {
            try
            {
                using var _ = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException e)
        {
            throw new IOException($"an embedded orleans-dedup process holds the store {dataDirectory}; wait for it to finish", e);
        }
    }
}
