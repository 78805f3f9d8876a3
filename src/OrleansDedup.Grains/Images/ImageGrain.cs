using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;

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
    private IngestStatus _status = IngestStatus.Idle;
    private IngestRun? _run;
    private Task _running = Task.CompletedTask;
    private bool _stale;

    private string Name => this.GetPrimaryKeyString();

    private string SiloName => $"{silo.Name} at {silo.SiloAddress.Endpoint}";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (record.State is { Info: null, Ingesting: { } lost })
        {
            Failed(IngestErrorKind.SiloLost, $"the ingest of '{Name}' from {lost.Path} was interrupted: the silo running it left the cluster; " +
                                             "nothing was kept (gc reclaims its partial data), ingest it again");
        }

        return Task.CompletedTask;
    }

    /// <summary>A silo that stops (or a grain that moves) takes a running ingest with it: its segments are asked to stop
    /// and give back what they took, and the ingest ends as lost with its silo, which a client starts again elsewhere.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_running.IsCompleted) return;
        logger.LogWarning("The ingest of {Image} stops with its activation ({Reason})", Name, reason);
        _run?.Leave();
        await _running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Current);
    }

    public async Task<IngestStatus> StartIngest(IngestRequest request)
    {
        await Reload();
        if (_status.State == IngestState.Running)
            return IngestStatus.Failed(IngestErrorKind.Conflict, $"'{Name}' is being ingested already; wait for it or cancel it");
        var problem = ImageFileCheck.Pin(ref request, out var length);
        if (problem is not null) return Failed(IngestErrorKind.BadInput, problem);
        // Running the same ingest again (after an interruption, say) repeats nothing and fails nothing.
        if (record.State.Info is { } stored)
        {
            return await StoredContent.Matches(request, stored.Size, record.State.SegmentRecipes, layout, CancellationToken.None)
                ? IngestStatus.Succeeded(stored, alreadyStored: true)
                : Failed(IngestErrorKind.Conflict, $"an image named '{Name}' already exists with other content; delete it first or ingest under another name");
        }

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
        _run = new IngestRun(new IngestServices(GrainFactory, index, metrics, layout, options.Value, logger), Name, SiloName, request, marker, length);
        _status = _run.Progress;
        _running = Run(_run);
        return await GetIngestStatus();
    }

    private async Task Run(IngestRun run) => _status = await run.Run(new IngestRecord(Commit, ForgetMarker));

    public Task<IngestStatus> GetIngestStatus() =>
        Task.FromResult(_status.State == IngestState.Running && _run is not null ? _run.Progress : _status);

    public Task CancelIngest()
    {
        _run?.Cancel();
        return Task.CompletedTask;
    }

    public Task ReportProgress(long bytes)
    {
        _run?.Report(bytes);
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
        _status = IngestStatus.Idle;
        return true;
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

    private IngestStatus Failed(IngestErrorKind kind, string message) => _status = IngestStatus.Failed(kind, message);
}
