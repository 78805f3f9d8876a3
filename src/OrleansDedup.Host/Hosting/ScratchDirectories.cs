namespace OrleansDedup.Host.Hosting;

/// <summary>
/// Temporary files on the shared volume: <c>uploads/</c> (an uploaded image, read by segment grains on any silo until
/// its ingest ends) and <c>restores/</c> (an image being streamed to a client). Both are deleted when done; what a
/// crash leaves behind is removed at start-up once it is a day old (younger files may still feed an ingest running
/// on another silo).
/// </summary>
public sealed class ScratchDirectories
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    public ScratchDirectories(string dataDirectory)
    {
        Uploads = Path.Combine(Path.GetFullPath(dataDirectory), "uploads");
        Restores = Path.Combine(Path.GetFullPath(dataDirectory), "restores");
    }

    public string Uploads { get; }

    public string Restores { get; }

    public string NewUpload() => NewFile(Uploads);

    public string NewRestore() => NewFile(Restores);

    /// <summary>Creates both directories and removes files older than <see cref="StaleAfter"/>; returns how many.</summary>
    public int Prepare(ILogger logger)
    {
        var removed = 0;
        foreach (var directory in new[] { Uploads, Restores })
        {
            Directory.CreateDirectory(directory);
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
            {
                if (DateTime.UtcNow - file.LastWriteTimeUtc < StaleAfter) continue;
                if (TryDelete(file.FullName, logger)) removed++;
            }
        }
        if (removed > 0) logger.LogInformation("Removed {Count} stale temporary files from {Uploads} and {Restores}", removed, Uploads, Restores);
        return removed;
    }

    public static bool TryDelete(string path, ILogger logger)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete the temporary file {Path}: {Reason}", path, e.Message);
            return false;
        }
    }

    private static string NewFile(string directory)
    {
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N"));
    }
}
