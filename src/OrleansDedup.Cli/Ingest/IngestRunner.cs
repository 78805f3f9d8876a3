using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;

namespace OrleansDedup.Cli.Ingest;

public sealed record ImageSource(string Name, string Path);

/// <summary>Ingests images through their image grains, a few at once, polling each for progress. Cancelling asks the
/// grains to cancel and waits until they have given everything back.</summary>
public static class IngestRunner
{
    /// <param name="parallelImages">Images ingested at once; 1 makes each image's statistics independent of timing
    /// (an image counts as duplicate exactly what the images before it stored).</param>
    public static async Task<IngestStatus[]> Run(IClusterClient client, IReadOnlyList<ImageSource> images, ChunkingStrategy strategy,
        Action<int, IngestStatus>? progress, CancellationToken cancellation, int parallelImages = 2)
    {
        var results = new IngestStatus[images.Count];
        using var gate = new SemaphoreSlim(parallelImages);
        await Task.WhenAll(images.Select(async (image, i) =>
        {
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                results[i] = await RunOne(client.GetGrain<IImageGrain>(image.Name), image, strategy, s => progress?.Invoke(i, s), cancellation);
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }

    private static async Task<IngestStatus> RunOne(IImageGrain grain, ImageSource image, ChunkingStrategy strategy, Action<IngestStatus> progress,
        CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested)
            return new IngestStatus(IngestState.Cancelled, 0, 0, "cancelled before it started", IngestErrorKind.None, null);
        var status = await grain.StartIngest(new IngestRequest(image.Path, strategy));
        var cancelled = false;
        while (status.State == IngestState.Running)
        {
            progress(status);
            try
            {
                await Task.Delay(100, cancellation);
            }
            catch (OperationCanceledException) when (!cancelled)
            {
                cancelled = true;
                await grain.CancelIngest();
            }
            status = await grain.GetIngestStatus();
        }
        progress(status);
        return status;
    }
}
