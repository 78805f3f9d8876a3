namespace OrleansDedup.Grains.Hosting;

/// <summary>An exclusive lock between processes on a shared volume: .NET takes flock(LOCK_EX) for FileShare.None.</summary>
internal static class FileLock
{
    public static FileStream Acquire(string path, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
        }
    }
}
