using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Sql;

namespace OrleansDedup.Cli.Ingest;

/// <summary>
/// One image's ingest as the client follows it: one start, then status polls with short timeouts, each retried while
/// the grain's silo is being replaced. A grid silent for <paramref name="outage"/> ends it as interrupted, naming the silo
/// that ran it; a grain that answers the ingest was lost with its silo ends it as such, for the runner to start again.
/// </summary>
/// <param name="outage">Long enough for the cluster to declare a dead silo dead and for the image grain to come back on
/// a survivor when there is another gateway; short when there is none to fail over to.</param>
internal sealed class ImageIngest(IImageGrain grain, string name, TimeSpan outage, Action<IngestStatus> progress, CancellationToken cancellation)
{
    /// <summary>A status call answers in milliseconds; one that has not answered in this went to a silo that is gone, and
    /// the next try may reach the grain through another gateway.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Status polls: every 100 ms, the pace of the bars; every 20 ms until the grid first reports bytes done, so
    /// that a bar starts moving as soon as the first batch is stored rather than up to a poll later.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100), FirstPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Starting checks the file and, for a name already stored, compares its content: seconds for a large image.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private string? _silo;

    /// <summary>The silo the ingest was lost with before the client started it again, if it was.</summary>
    private string? _left;

    /// <param name="lost">The status that said the last start was lost with its silo; none: a first start.</param>
    public async Task<IngestStatus> Run(IngestRequest request, IngestStatus? lost)
    {
        if (cancellation.IsCancellationRequested)
            return IngestStatus.Cancelled("cancelled before it started");
        try
        {
            _left = lost?.Silo ?? _left;
            // A start is sent again only to a grid that answers: with no gateway left, the client would hold it.
            if (lost is not null) await Call(grain.GetIngestStatus, PollTimeout, retryTimeouts: true);
            var status = Seen(await Start(request));
            while (status.State == IngestState.Running)
            {
                progress(status);
                try
                {
                    await Task.Delay(status.BytesDone == 0 ? FirstPollInterval : PollInterval, cancellation);
                    status = Seen(await Call(grain.GetIngestStatus, PollTimeout, retryTimeouts: true));
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
                {
                    status = IngestStatus.Failed(IngestErrorKind.SiloLost,
                        $"the grid lost track of the ingest of '{name}' (the silo running it{On()} left the cluster); nothing of it was kept",
                        status.BytesDone, status.BytesTotal);
                }
            }
            progress(status);
            return status with { Silo = status.Silo ?? _silo };
        }
        catch (GridSilentException e)
        {
            return IngestStatus.Failed(IngestErrorKind.Interrupted, e.Message, silo: _silo);
        }
    }

    private IngestStatus Seen(IngestStatus status)
    {
        _silo = status.Silo ?? _silo;
        return status;
    }

    /// <summary>Sends the start once (a second start of a running ingest is refused as a conflict) and waits for it while
    /// the grid answers status calls, which interleave with a start that compares a large file: a start whose gateway
    /// went away is given up after the outage, not after <see cref="StartTimeout"/>.</summary>
    private async Task<IngestStatus> Start(IngestRequest request)
    {
        var start = Call(() => grain.StartIngest(request), StartTimeout, retryTimeouts: false);
        while (await Task.WhenAny(start, Task.Delay(PollTimeout, cancellation)) != start)
            await Call(grain.GetIngestStatus, PollTimeout, retryTimeouts: true);
        return await start;
    }

    /// <summary>Calls the grain with a timeout, retrying while its silo is being replaced; past the outage (or a start's
    /// timeout) the grid counts as gone, and the message names the silo that ran the ingest.</summary>
    private async Task<IngestStatus> Call(Func<Task<IngestStatus>> call, TimeSpan timeout, bool retryTimeouts)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                return await call().WaitAsync(timeout, cancellation);
            }
            // An unreachable catalog database is not a silent grid: it goes up as it is, to its own message and exit code.
            catch (Exception e) when ((e is OrleansException && !DatabaseErrors.IsUnreachable(e)) || (e is TimeoutException && retryTimeouts))
            {
                if (DateTime.UtcNow - started >= outage)
                {
                    throw new GridSilentException(
                        $"lost the silo running the ingest of '{name}'{On()}: the grid stopped answering about it for " +
                        $"{outage.TotalSeconds:0} s ({Reason(e)}); ingest it again once the cluster answers");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
            catch (TimeoutException)
            {
                throw new GridSilentException($"the grid did not answer the start of the ingest of '{name}' within {timeout.TotalSeconds:0} s; " +
                                              "`list` shows whether it was stored, else ingest it again");
            }
        }
    }

    /// <summary>Where the ingest ran and, when it was started again elsewhere, which silo left first: a silo that stops
    /// gracefully may still pass the new start on before its gateway closes, and then the silo to look at is that one.</summary>
    private string On() => (_silo, _left) switch
    {
        (null, null) => "",
        (null, { } left) => $" ({left})",
        ({ } silo, { } left) when left != silo => $" ({silo}; started again there after {left} left the cluster)",
        ({ } silo, _) => $" ({silo})",
    };

    /// <summary>Orleans names the silo a call was lost on in its first sentence; what follows may be a remote stack.</summary>
    private static string Reason(Exception e) => e is TimeoutException && e.InnerException is null
        ? "no answer within the poll timeout"
        : UserMessages.FirstLine(e.Message).Split(". ")[0];

    private sealed class GridSilentException(string message) : Exception(message);
}
