namespace OrleansDedup.Grains.Hosting;

/// <summary>
/// The lock on a store's <c>.lock</c> file. Silos share a store, so they take it shared; the CLI's embedded mode and its
/// reads without a silo take it exclusively. Either one therefore keeps the other off the store instead of both writing
/// to it. (Advisory flock on Linux; file systems that do not support it, e.g. NFS, skip it.)
/// </summary>
public static class StoreLock
{
    /// <exception cref="StoreBusyException">An embedded process holds the store.</exception>
    public static FileStream Shared(string dataDirectory)
    {
        var path = PathOf(dataDirectory);
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
            throw new StoreBusyException($"an embedded orleans-dedup process holds the store {dataDirectory}; wait for it to finish", e);
        }
    }

    /// <exception cref="StoreBusyException">Another process (embedded, or a silo) holds the store.</exception>
    public static FileStream Exclusive(string dataDirectory)
    {
        try
        {
            return new FileStream(PathOf(dataDirectory), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreBusyException($"another orleans-dedup process is using the store {dataDirectory}; wait for it to finish", e);
        }
    }

    private static string PathOf(string dataDirectory) => new StoreLayout(dataDirectory).Lock;
}
