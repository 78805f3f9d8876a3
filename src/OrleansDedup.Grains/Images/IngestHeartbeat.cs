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

    /// <summary>A mark older than this belongs to an ingest whose silo is gone.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);

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

    public static bool IsFresh(string directory)
    {
        var mark = new FileInfo(Path.Combine(directory, FileName));
        return mark.Exists && DateTime.UtcNow - mark.LastWriteTimeUtc < Expiry;
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
