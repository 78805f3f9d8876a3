using System.Collections.Concurrent;
using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Host.Hosting;

/// <summary>Deletes an uploaded image file once the ingest reading it has ended, whether it succeeded, failed or was
/// cancelled. Polls the image grains; an upload whose ingest outlives this silo is left to the start-up cleanup.</summary>
public sealed class UploadCleanup(IGrainFactory grains, ILogger<UploadCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, string> _uploads = new();

    public int Pending => _uploads.Count;

    public void Track(string image, string uploadPath) => _uploads[uploadPath] = image;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping)) await Sweep();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellation)
    {
        await base.StopAsync(cancellation);
        if (!_uploads.IsEmpty) await Sweep();
    }

    private async Task Sweep()
    {
        foreach (var (path, image) in _uploads)
        {
            IngestStatus status;
            try
            {
                status = await grains.GetGrain<IImageGrain>(image).GetIngestStatus();
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Could not ask {Image} about its ingest; will ask again", image);
                continue;
            }
            if (status.State == IngestState.Running) continue;
            if (ScratchDirectories.TryDelete(path, logger)) _uploads.TryRemove(path, out _);
            logger.LogInformation("Ingest of uploaded image {Image} ended ({State}); removed its upload", image, status.State);
        }
    }
}
