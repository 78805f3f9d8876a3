using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Recipes;
using OrleansDedup.ImageFormats;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// Plans an ingest, fans the segments out to segment grains (a bounded number at once), and commits the image
/// only when every segment succeeded; otherwise it gives back every reference the segments took. It lives on the silo
/// whose client asked for the ingest, so that a client loses its ingest only with its own gateway.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed class ImageGrain(
    [PersistentState(StorageNames.ImageGrainType, StorageNames.Catalog)] IPersistentState<ImageRecord> record,
    IOptions<DedupOptions> options,
    IndexRouter index,
    DedupMetrics metrics,
    StoreLayout layout,
    ILocalSiloDetails silo,
    ILogger<ImageGrain> logger) : Grain, IImageGrain
{
    private IngestStatus _status = new(IngestState.Idle, 0, 0, null, IngestErrorKind.None, null);
    private CancellationTokenSource? _cancel;
    private Task _run = Task.CompletedTask;
    private long _bytesDone;
    private bool _stale;
    private bool _leaving;

    private string Name => this.GetPrimaryKeyString();

    private string SiloName => $"{silo.Name} at {silo.SiloAddress.Endpoint}";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (record.State is { Info: null, Ingesting: { } lost })
            Failed(IngestErrorKind.SiloLost, $"the ingest of '{Name}' from {lost.Path} was interrupted: the silo running it left the cluster; " +
                                             "nothing was kept (gc reclaims its partial data), ingest it again");
        return Task.CompletedTask;
    }

    /// <summary>A silo that stops (or a grain that moves) takes a running ingest with it: its segments are asked to stop
    /// and give back what they took, and the ingest ends as lost with its silo, which a client starts again elsewhere.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run.IsCompleted) return;
        logger.LogWarning("The ingest of {Image} stops with its activation ({Reason})", Name, reason);
        _leaving = true;
        _cancel?.Cancel();
        await _run.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Current);
    }

    public async Task<IngestStatus> StartIngest(IngestRequest request)
    {
        await Reload();
        if (_status.State == IngestState.Running)
            return new IngestStatus(IngestState.Failed, 0, 0, $"'{Name}' is being ingested already; wait for it or cancel it",
                IngestErrorKind.Conflict, null);
        var problem = ImageFileCheck.Pin(ref request, out var length);
        if (problem is not null) return Failed(IngestErrorKind.BadInput, problem);
        // Running the same ingest again (after an interruption, say) repeats nothing and fails nothing.
        if (record.State.Info is { } stored)
            return await StoredContent.Matches(request, stored.Size, record.State.SegmentRecipes, layout, CancellationToken.None)
                ? new IngestStatus(IngestState.Succeeded, stored.Size, stored.Size, null, IngestErrorKind.None, stored, AlreadyStored: true)
                : Failed(IngestErrorKind.Conflict, $"an image named '{Name}' already exists with other content; delete it first or ingest under another name");

        var marker = new IngestMarker(Guid.NewGuid(), request.Path, DateTimeOffset.UtcNow);
        try
        {
            record.State.Ingesting = marker;
            await CatalogWrites.Run(record.WriteStateAsync);
        }
        catch (Exception e)
        {
            record.State.Ingesting = null;
            logger.LogError(e, "Could not record the ingest of {Image}", Name);
            return Failed(IngestFailures.Classify(e, out var message), message);
        }
        _cancel = new CancellationTokenSource();
        _bytesDone = 0;
        _status = new IngestStatus(IngestState.Running, 0, length, null, IngestErrorKind.None, null);
        _run = RunIngest(request, marker, length, _cancel.Token);
        return await GetIngestStatus();
    }

    public Task<IngestStatus> GetIngestStatus() =>
        Task.FromResult(_status.State == IngestState.Running ? _status with { BytesDone = Interlocked.Read(ref _bytesDone), Silo = SiloName } : _status);

    public Task CancelIngest()
    {
        _cancel?.Cancel();
        return Task.CompletedTask;
    }

    public Task ReportProgress(long bytes)
    {
        Interlocked.Add(ref _bytesDone, bytes);
        return Task.CompletedTask;
    }

    public async Task<ImageInfo?> GetInfo()
    {
        await Reload();
        return record.State.Info;
    }

    public async Task<ImageManifest?> GetManifest()
    {
        await Reload();
        return record.State.Info is { } info ? new ImageManifest(info, record.State.SegmentRecipes) : null;
    }

    /// <summary>After a commit whose outcome is unknown, reads back what the database holds.</summary>
    private async Task Reload()
    {
        if (!_stale) return;
        await record.ReadStateAsync();
        _stale = false;
    }

    public async Task<bool> Delete()
    {
        await Reload();
        if (_status.State == IngestState.Running)
            throw new IngestException(IngestErrorKind.Conflict, $"'{Name}' is being ingested; cancel that first");
        if (record.State.Info is null) return false;
        var recipes = record.State.SegmentRecipes;
        // The image disappears before its recipes do: a crash in between leaves files gc removes, never loses data. Its
        // chunks stay until gc finds that no recipe uses them.
        await record.ClearStateAsync();
        await GrainFactory.GetGrain<ICatalogGrain>(0).Remove(Name);
        RecipeFiles.Delete(layout, recipes);
        _status = new IngestStatus(IngestState.Idle, 0, 0, null, IngestErrorKind.None, null);
        return true;
    }

    private async Task RunIngest(IngestRequest request, IngestMarker marker, long size, CancellationToken cancellation)
    {
        var (ingestId, path, started) = marker;
        SegmentFanOut? fanOut = null;
        IngestHeartbeat? heartbeat = null;
        try
        {
            var regions = request.Opaque ? null : await Task.Run(() => ContainerLayouts.Read(path, size, request.Root, request.Identity), cancellation);
            var formatAware = regions is not null && SegmentPlan.IsFormatAware(request.Strategy);
            var container = regions is null ? ContainerLayouts.Opaque(path, size, request.Root, request.Identity) : ContainerLayouts.Summary(regions, formatAware);
            // A raw file's guest blocks are its own 4 KiB blocks: the uniform grid already follows them.
            var spans = formatAware && regions!.Format != ImageFormat.Raw ? ContainerLayouts.Spans(regions, DedupOptions.BlockSize) : null;
            // Every segment opens the file the ingest checked, or refuses.
            var plan = SegmentPlan.For(Name, path, size, request.Strategy, options.Value, ingestId, spans)
                .Select(work => work with { SourceRoot = request.Root, SourceIdentity = request.Identity }).ToArray();
            fanOut = new SegmentFanOut(GrainFactory, logger, Name, ingestId, plan);
            using var onCancel = cancellation.Register(fanOut.StopAll);
            heartbeat = IngestHeartbeat.Start(layout, ingestId);
            if (!await GrainFactory.GetGrain<IGarbageCollectorGrain>(0).TryBeginIngest())
                throw new IngestException(IngestErrorKind.Conflict, "garbage collection is sweeping the index; retry in a moment");
            var epochs = await index.Epochs();
            var results = await fanOut.Run(epochs, options.Value.MaxParallelSegments);
            cancellation.ThrowIfCancellationRequested();

            logger.LogDebug("Ingest of {Image}: every segment done; flushing the index", Name);
            await index.FlushAll(epochs);
            var stats = results.Aggregate(DedupStats.Empty, (sum, r) => sum + r.Stats);
            var info = new ImageInfo(Name, path, size, request.Strategy, ImageDigest(results), started, plan.Length, stats,
                (DateTimeOffset.UtcNow - started).TotalSeconds, container);
            // Listed first: a listed name without a record is harmless, while a record no list knows would be swept by gc.
            await GrainFactory.GetGrain<ICatalogGrain>(0).Add(Name);
            await Commit(new ImageRecord { Info = info, SegmentRecipes = fanOut.Recipes });
            RecipeFiles.DeleteFiles(layout, fanOut.Superseded);
            heartbeat.Complete();
            _status = new IngestStatus(IngestState.Succeeded, size, size, null, IngestErrorKind.None, info);
            metrics.IngestFinished("succeeded");
        }
        catch (CommitUnknownException e)
        {
            // The record may be in the database: its recipes stay, and gc sorts it out if it is not.
            _status = Failed(IngestErrorKind.Interrupted,
                $"the catalog database became unreachable while '{Name}' was being recorded ({DatabaseErrors.Reason(e)}); once PostgreSQL " +
                "is back, `list` shows whether it was recorded, else ingest it again (gc reclaims an unrecorded attempt)");
            metrics.IngestFinished("failed");
            logger.LogError(e, "Ingest of {Image} from {Path}: commit outcome unknown", Name, path);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Ingest of {Image} failed; discarding its recipes", Name);
            await Discard(heartbeat, fanOut?.Recipes ?? []);
            _status = _leaving
                ? Failed(IngestErrorKind.SiloLost, $"the silo running the ingest of '{Name}' ({SiloName}) stopped; nothing was kept, ingest it again")
                : cancellation.IsCancellationRequested
                    ? new IngestStatus(IngestState.Cancelled, _bytesDone, size, "the ingest was cancelled; nothing was kept", IngestErrorKind.None, null)
                    : Failed(IngestFailures.Classify(e, out var message), message);
            metrics.IngestFinished(_status.State == IngestState.Cancelled ? "cancelled" : "failed");
            if (_status.ErrorKind == IngestErrorKind.Internal) logger.LogError(e, "Ingest of {Image} from {Path} failed", Name, path);
            else logger.LogWarning("Ingest of {Image} from {Path} failed: {Reason}", Name, path, _status.Error);
        }
        finally
        {
            heartbeat?.Dispose();
        }
    }

    /// <summary>Writes the image's record. If that fails, whether the database applied the write is unknown, so the
    /// record is read back before it is used again.</summary>
    private async Task Commit(ImageRecord committed)
    {
        var previous = record.State;
        record.State = committed;
        try
        {
            await CatalogWrites.Run(record.WriteStateAsync);
        }
        catch (Exception e)
        {
            record.State = previous;
            _stale = true;
            throw new CommitUnknownException(e);
        }
    }

    private sealed class CommitUnknownException(Exception inner) : Exception("the image record could not be written", inner);

    /// <summary>Removes what a failed ingest left on the shared store and in the catalog database.</summary>
    private async Task Discard(IngestHeartbeat? heartbeat, string[] recipes)
    {
        try
        {
            heartbeat?.Complete();
            RecipeFiles.Delete(layout, recipes);
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "Could not delete the recipes of the failed ingest of {Image}; the next gc removes them", Name);
        }
        await ForgetMarker();
    }

    /// <summary>A failed ingest leaves no row behind. If the database is unreachable the marker stays, and a later
    /// activation reports the ingest as interrupted, which it was.</summary>
    private async Task ForgetMarker()
    {
        try
        {
            await record.ClearStateAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not clear the ingest record of {Image}", Name);
        }
    }

    private IngestStatus Failed(IngestErrorKind kind, string message) =>
        _status = new IngestStatus(IngestState.Failed, 0, 0, message, kind, null);

    /// <summary>The image digest is SHA-256 over the segment digests, each SHA-256 over the segment's recipe entries.</summary>
    private static string ImageDigest(SegmentResult[] results)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in results) hash.AppendData(r.Digest);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
