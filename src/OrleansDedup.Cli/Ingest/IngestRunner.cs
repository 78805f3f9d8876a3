using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Hosting;

namespace OrleansDedup.Cli.Ingest;

public sealed record ImageSource(string Name, string Path);

/// <summary>Ingests images through their image grains, a few at once, polling each for progress. Cancelling (SIGINT,
/// SIGTERM) leaves at once: the grid treats the ingests as those of a client that went away.</summary>
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
                results[i] = await RunOne(client.GetGrain<IImageGrain>(image.Name), image.Name, new IngestRequest(image.Path, strategy, opaque),
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
    /// to declare a dead silo dead (about 10 s) and for the image grain to come back on a survivor.</summary>
    private static readonly TimeSpan PollOutage = TimeSpan.FromSeconds(20);

    /// <summary>A status call answers in milliseconds; one that has not answered in this went to a silo that is gone, and
    /// the next try may reach the grain through another gateway.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(3);

    private static async Task<IngestStatus> RunOne(IImageGrain grain, string name, IngestRequest request, Action<IngestStatus> progress,
        CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested)
            return new IngestStatus(IngestState.Cancelled, 0, 0, "cancelled before it started", IngestErrorKind.None, null);
        var status = await grain.StartIngest(request).WaitAsync(cancellation);
        while (status.State == IngestState.Running)
        {
            progress(status);
            try
            {
                await Task.Delay(100, cancellation);
                status = await Poll(name, grain.GetIngestStatus, cancellation);
            }
            catch (OperationCanceledException)
            {
                // Asked, not awaited for long: the grain cancels on its own time, and a grid that does not answer
                // must not hold the user.
                await grain.CancelIngest().WaitAsync(StopSignals.Grace / 2).ContinueWith(_ => { }, TaskScheduler.Default);
                throw;
            }
            // A grain that forgot a running ingest lost its silo before it could record it.
            if (status.State == IngestState.Idle)
                status = new IngestStatus(IngestState.Failed, status.BytesDone, status.BytesTotal,
                    "the grid lost track of the ingest (the silo running it left the cluster); nothing of it was kept, ingest it again",
                    IngestErrorKind.Interrupted, null);
        }
        progress(status);
        return status;
    }

    /// <summary>Calls the grain with a short timeout, retrying while its silo is being replaced; past
    /// <see cref="PollOutage"/> the ingest counts as interrupted, with the last error.</summary>
    private static async Task<IngestStatus> Poll(string name, Func<Task<IngestStatus>> call, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                return await call().WaitAsync(PollTimeout, cancellation);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                if (DateTime.UtcNow - started >= PollOutage)
                    return new IngestStatus(IngestState.Failed, 0, 0,
                        $"the grid stopped answering about '{name}' for {PollOutage.TotalSeconds:0} s ({Reason(e)}); ingest it again once the cluster is back",
                        IngestErrorKind.Interrupted, null);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
        }
    }

    /// <summary>Orleans names the silo a call was lost on; the first line says it.</summary>
    private static string Reason(Exception e) => e is TimeoutException && e.InnerException is null
        ? "no answer within the poll timeout"
        : e.Message.ReplaceLineEndings(" ").Split(". ")[0].Trim();
}
