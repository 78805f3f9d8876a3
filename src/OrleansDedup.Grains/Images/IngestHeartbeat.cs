using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// Marks an ingest as alive on the shared store while it runs: a file in its recipe directory, touched every few
/// seconds. The collector leaves a directory with a fresh mark alone, and treats one whose mark went stale (its silo
/// died mid-ingest) as abandoned.
/// </summary>
public sealed class IngestHeartbeat : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    public const string FileName = "ingest.alive";

    private readonly string _path;
    private readonly Timer _timer;

    private IngestHeartbeat(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        _timer = new Timer(_ => Touch(), null, Period, Period);
    }

    public static IngestHeartbeat Start(StoreLayout layout, Guid ingestId) =>
        new(Path.Combine(layout.Recipes, ingestId.ToString("N"), FileName));

    /// <summary>Whether the ingest of this recipe directory marked itself alive within <paramref name="expiry"/>.</summary>
    public static bool IsFresh(string directory, TimeSpan expiry)
    {
        var mark = new FileInfo(Path.Combine(directory, FileName));
        return mark.Exists && DateTime.UtcNow - mark.LastWriteTimeUtc < expiry;
    }

    public void Complete()
    {
        _timer.Dispose();
        File.Delete(_path);
    }

    public void Dispose() => _timer.Dispose();

    private void Touch()
    {
        try
        {
            File.SetLastWriteTimeUtc(_path, DateTime.UtcNow);
        }
        catch (IOException)
        {
        }
    }
}
