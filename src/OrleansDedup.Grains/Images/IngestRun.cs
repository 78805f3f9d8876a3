using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.ImageFormats;
using OrleansDedup.Sql;

namespace OrleansDedup.Grains.Images;

/// <summary>What an ingest run needs of the silo: the same for every run of an image grain.</summary>
internal sealed record IngestServices(IGrainFactory Grains, IndexRouter Index, DedupMetrics Metrics, StoreLayout Layout,
    DedupOptions Options, ILogger Logger);

/// <summary>The record operations a run leaves to its image grain, which owns the record.</summary>
/// <param name="Commit">Writes the image's record; throws <see cref="CommitUnknownException"/> when the outcome is unknown.</param>
/// <param name="Forget">Removes the ingest's marker after a failure (best effort).</param>
internal sealed record IngestRecord(Func<ImageRecord, Task> Commit, Func<Task> Forget);

/// <summary>
/// One ingest of one image: plans the segments, runs them (with their attempts) through <see cref="SegmentFanOut"/>,
/// and either commits the image or gives back every reference its segments took. Ends in the status the image reports.
/// </summary>
internal sealed class IngestRun(IngestServices services, string name, string silo, IngestRequest request, IngestMarker marker, long size)
{
    private readonly CancellationTokenSource _cancel = new();
    private long _bytesDone;
    private volatile bool _leaving;

    private ILogger Logger => services.Logger;

    public IngestStatus Progress => IngestStatus.Running(Interlocked.Read(ref _bytesDone), size, silo);

    public void Report(long bytes) => Interlocked.Add(ref _bytesDone, bytes);

    public void Cancel() => _cancel.Cancel();

    /// <summary>The silo stops or the grain moves: the run stops too, and ends as lost with its silo.</summary>
    public void Leave()
    {
        _leaving = true;
        _cancel.Cancel();
    }

    public async Task<IngestStatus> Run(IngestRecord record)
    {
        var cancellation = _cancel.Token;
        SegmentFanOut? fanOut = null;
        IngestHeartbeat? heartbeat = null;
        try
        {
            var (plan, container) = await Plan(cancellation);
            fanOut = new SegmentFanOut(services.Grains, Logger, name, marker.IngestId, plan);
            using var onCancel = cancellation.Register(fanOut.StopAll);
            heartbeat = IngestHeartbeat.Start(services.Layout, marker.IngestId);
            if (!await services.Grains.GetGrain<IGarbageCollectorGrain>(0).TryBeginIngest())
                throw new IngestException(IngestErrorKind.Conflict, "garbage collection is sweeping the index; retry in a moment");
            var epochs = await services.Index.Epochs();
            var results = await fanOut.Run(epochs, services.Options.MaxParallelSegments);
            cancellation.ThrowIfCancellationRequested();

            Logger.LogDebug("Ingest of {Image}: every segment done; flushing the index", name);
            await services.Index.FlushAll(epochs);
            var info = Describe(results, plan.Length, container);
            // Listed first: a listed name without a record is harmless, while a record no list knows would be swept by gc.
            await services.Grains.GetGrain<ICatalogGrain>(0).Add(name);
            await record.Commit(new ImageRecord { Info = info, SegmentRecipes = fanOut.Recipes });
            RecipeFiles.DeleteFiles(services.Layout, fanOut.Superseded);
            heartbeat.Complete();
            services.Metrics.IngestFinished("succeeded");
            return IngestStatus.Succeeded(info);
        }
        catch (CommitUnknownException e)
        {
            // The record may be in the database: its recipes stay, and gc sorts it out if it is not.
            services.Metrics.IngestFinished("failed");
            Logger.LogError(e, "Ingest of {Image} from {Path}: commit outcome unknown", name, marker.Path);
            return IngestStatus.Failed(IngestErrorKind.Interrupted,
                $"the catalog database became unreachable while '{name}' was being recorded ({DatabaseErrors.Reason(e)}); once PostgreSQL " +
                "is back, `list` shows whether it was recorded, else ingest it again (gc reclaims an unrecorded attempt)");
        }
        catch (Exception e)
        {
            Logger.LogDebug(e, "Ingest of {Image} failed; discarding its recipes", name);
            Discard(heartbeat, fanOut?.Recipes ?? []);
            await record.Forget();
            var status = Ended(e, cancellation);
            services.Metrics.IngestFinished(status.State == IngestState.Cancelled ? "cancelled" : "failed");
            if (status.ErrorKind == IngestErrorKind.Internal) Logger.LogError(e, "Ingest of {Image} from {Path} failed", name, marker.Path);
            else Logger.LogWarning("Ingest of {Image} from {Path} failed: {Reason}", name, marker.Path, status.Error);
            return status;
        }
        finally
        {
            heartbeat?.Dispose();
        }
    }

    /// <summary>The segments to run: the container's layout read (unless opaque), then cut as the strategy says.</summary>
    private async Task<(SegmentWork[] Plan, ContainerInfo Container)> Plan(CancellationToken cancellation)
    {
        var regions = request.Opaque
            ? null
            : await Task.Run(() => ContainerLayouts.Read(marker.Path, size, request.Root, request.Identity), cancellation);
        var formatAware = regions is not null && SegmentPlan.IsFormatAware(request.Strategy);
        var container = regions is null
            ? ContainerLayouts.Opaque(marker.Path, size, request.Root, request.Identity)
            : ContainerLayouts.Summary(regions, formatAware);
        // A raw file's guest blocks are its own 4 KiB blocks: the uniform grid already follows them.
        var spans = formatAware && regions!.Format != ImageFormat.Raw ? ContainerLayouts.Spans(regions, DedupOptions.BlockSize) : null;
        // Every segment opens the file the ingest checked, or refuses.
        var plan = SegmentPlan.For(name, marker.Path, size, request.Strategy, services.Options, marker.IngestId, spans)
            .Select(work => work with { SourceRoot = request.Root, SourceIdentity = request.Identity }).ToArray();
        return (plan, container);
    }

    private ImageInfo Describe(SegmentResult[] results, int segments, ContainerInfo container)
    {
        var stats = results.Aggregate(DedupStats.Empty, (sum, r) => sum + r.Stats);
        return new ImageInfo(name, marker.Path, size, request.Strategy, ImageDigest(results), marker.Started, segments, stats,
            (DateTimeOffset.UtcNow - marker.Started).TotalSeconds, container);
    }

    private IngestStatus Ended(Exception e, CancellationToken cancellation) =>
        _leaving
            ? IngestStatus.Failed(IngestErrorKind.SiloLost, $"the silo running the ingest of '{name}' ({silo}) stopped; nothing was kept, ingest it again")
            : cancellation.IsCancellationRequested
                ? IngestStatus.Cancelled("the ingest was cancelled; nothing was kept", Interlocked.Read(ref _bytesDone), size)
                : IngestStatus.Failed(IngestFailures.Classify(e, out var message), message);

    /// <summary>Removes the recipes a failed ingest left on the shared store.</summary>
    private void Discard(IngestHeartbeat? heartbeat, string[] recipes)
    {
        try
        {
            heartbeat?.Complete();
            RecipeFiles.Delete(services.Layout, recipes);
        }
        catch (IOException e)
        {
            Logger.LogWarning(e, "Could not delete the recipes of the failed ingest of {Image}; the next gc removes them", name);
        }
    }

    /// <summary>The image digest is SHA-256 over the segment digests, each SHA-256 over the segment's recipe entries.</summary>
    private static string ImageDigest(SegmentResult[] results)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in results) hash.AppendData(r.Digest);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
