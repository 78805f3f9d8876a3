using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Hosting;

namespace OrleansDedup.Cli.Ingest;

public sealed record ImageSource(string Name, string Path);

/// <summary>Ingests images through their image grains, a few at once, polling each for progress. An ingest whose silo
/// left the cluster (stopped or died) is started again through the grid's other gateways, a bounded number of times.
/// Cancelling (SIGINT, SIGTERM) leaves at once: the grid treats the ingests as those of a client that went away.</summary>
public static class IngestRunner
{
    /// <param name="parallelImages">Images ingested at once; 1 makes each image's statistics independent of timing
    /// (an image counts as duplicate exactly what the images before it stored).</param>
    /// <param name="restarted">Told of each ingest started again after its silo left, with why.</param>
    public static async Task<IngestStatus[]> Run(IClusterClient client, IReadOnlyList<ImageSource> images, ChunkingStrategy strategy,
        Action<int, IngestStatus>? progress, CancellationToken cancellation, int parallelImages = 2, bool opaque = false,
        Action<string, string>? restarted = null)
    {
        var results = new IngestStatus[images.Count];
        using var gate = new SemaphoreSlim(parallelImages);
        await Task.WhenAll(images.Select(async (image, i) =>
        {
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                var grain = client.GetGrain<IImageGrain>(image.Name);
                var request = new IngestRequest(image.Path, strategy, opaque);
                for (var start = 1; ; start++)
                {
                    results[i] = await RunOne(grain, image.Name, request, s => progress?.Invoke(i, s), cancellation);
                    if (results[i].ErrorKind != IngestErrorKind.SiloLost || start == MaxStarts) break;
                    restarted?.Invoke(image.Name, results[i].Error ?? "its silo left the cluster");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }

    /// <summary>Starts of one image's ingest: each silo lost under it costs one; three silos lost in one ingest end it.</summary>
    private const int MaxStarts = 4;

    /// <summary>How long status polls may fail in a row before the ingest counts as lost: long enough for the cluster
    /// to declare a dead silo dead (about 10 s) and for the image grain to come back on a survivor.</summary>
    private static readonly TimeSpan PollOutage = TimeSpan.FromSeconds(20);

    /// <summary>A status call answers in milliseconds; one that has not answered in this went to a silo that is gone, and
    /// the next try may reach the grain through another gateway.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Starting checks the file and, for a name already stored, compares its content: seconds for a large image.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private static async Task<IngestStatus> RunOne(IImageGrain grain, string name, IngestRequest request, Action<IngestStatus> progress,
        CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested)
            return new IngestStatus(IngestState.Cancelled, 0, 0, "cancelled before it started", IngestErrorKind.None, null);
        // A start that times out is not sent again: it may be running, and a second start would be refused as a conflict.
        var status = await Call(name, null, () => grain.StartIngest(request), StartTimeout, retryTimeouts: false, cancellation);
        var silo = status.Silo;
        while (status.State == IngestState.Running)
        {
            progress(status);
            try
            {
                await Task.Delay(100, cancellation);
                status = await Call(name, silo, grain.GetIngestStatus, PollTimeout, retryTimeouts: true, cancellation);
                silo = status.Silo ?? silo;
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
                    $"the grid lost track of the ingest of '{name}' (the silo running it{On(silo)} left the cluster); nothing of it was kept",
                    IngestErrorKind.SiloLost, null);
        }
        progress(status);
        return status;
    }

    /// <summary>Calls the grain with a timeout, retrying while its silo is being replaced; past <see cref="PollOutage"/>
    /// the ingest counts as interrupted, naming the silo that ran it and the last error.</summary>
    private static async Task<IngestStatus> Call(string name, string? silo, Func<Task<IngestStatus>> call, TimeSpan timeout, bool retryTimeouts,
        CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                return await call().WaitAsync(timeout, cancellation);
            }
            catch (Exception e) when (e is OrleansException || (e is TimeoutException && retryTimeouts))
            {
                if (DateTime.UtcNow - started >= PollOutage)
                    return new IngestStatus(IngestState.Failed, 0, 0,
                        $"lost the silo running the ingest of '{name}'{On(silo)}: the grid stopped answering about it for " +
                        $"{PollOutage.TotalSeconds:0} s ({Reason(e)}); ingest it again once the cluster answers",
                        IngestErrorKind.Interrupted, null);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
            catch (TimeoutException)
            {
                return new IngestStatus(IngestState.Failed, 0, 0,
                    $"the grid did not answer the start of the ingest of '{name}' within {timeout.TotalSeconds:0} s; `list` shows whether it was " +
                    "stored, else ingest it again", IngestErrorKind.Interrupted, null);
            }
        }
    }

    private static string On(string? silo) => silo is null ? "" : $" ({silo})";

    /// <summary>Orleans names the silo a call was lost on; the first line says it.</summary>
    private static string Reason(Exception e) => e is TimeoutException && e.InnerException is null
        ? "no answer within the poll timeout"
        : e.Message.ReplaceLineEndings(" ").Split(". ")[0].Trim();
}
