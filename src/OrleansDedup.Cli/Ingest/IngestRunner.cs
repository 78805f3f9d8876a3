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
        Action<int, IngestStatus>? progress, CancellationToken cancellation, int parallelImages = 2, bool opaque = false)
    {
        var results = new IngestStatus[images.Count];
        using var gate = new SemaphoreSlim(parallelImages);
        await Task.WhenAll(images.Select(async (image, i) =>
        {
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                results[i] = await RunOne(client.GetGrain<IImageGrain>(image.Name), new IngestRequest(image.Path, strategy, opaque),
                    s => progress?.Invoke(i, s), cancellation);
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }

    /// <summary>How long status polls may fail in a row before the ingest counts as lost: long enough for the cluster
    /// to declare a dead silo dead and for the image grain to come back on a survivor.</summary>
    private static readonly TimeSpan PollOutage = TimeSpan.FromSeconds(60);

    private static async Task<IngestStatus> RunOne(IImageGrain grain, IngestRequest request, Action<IngestStatus> progress,
        CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested)
            return new IngestStatus(IngestState.Cancelled, 0, 0, "cancelled before it started", IngestErrorKind.None, null);
        var status = await grain.StartIngest(request);
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
                await Poll(async () =>
                {
                    await grain.CancelIngest();
                    return true;
                });
            }
            status = await Poll(grain.GetIngestStatus);
            // A grain that forgot a running ingest lost its silo before it could record it.
            if (status.State == IngestState.Idle)
                status = new IngestStatus(IngestState.Failed, status.BytesDone, status.BytesTotal,
                    "the grid lost track of the ingest (the silo running it left the cluster); nothing was kept, ingest it again",
                    IngestErrorKind.Interrupted, null);
        }
        progress(status);
        return status;
    }

    /// <summary>Calls the grain, retrying while its silo is being replaced; past <see cref="PollOutage"/> the last error stands.</summary>
    private static async Task<T> Poll<T>(Func<Task<T>> call)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is OrleansException or TimeoutException && DateTime.UtcNow - started < PollOutage)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
