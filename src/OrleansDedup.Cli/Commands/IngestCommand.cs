using System.Collections.Concurrent;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Cli.Rendering;

namespace OrleansDedup.Cli.Commands;

/// <summary>Deduplicates images into the store.</summary>
public sealed class IngestCommand : GridCommand<IngestSettings>
{
    private readonly ConcurrentQueue<string> _restarts = new();
    private Action<int, IngestStatus> _progress = (_, _) => { };
    private IngestStatus[] _results = [];

    protected override Task Preflight(IngestSettings settings)
    {
        // Against a cluster the silos read the paths, so they are checked there.
        if (settings.Contact is null) ImagePaths.Check(settings.Sources);
        return Task.CompletedTask;
    }

    /// <summary>The bars come up while the grid starts on another core: an embedded silo takes about half a second to
    /// start, drawing the first bars of 15 images about 80 ms, and a user should see at once what the command is doing.
    /// The results are printed once the bars are gone.</summary>
    protected override async Task<int> Execute(IngestSettings settings, CancellationToken cancellation)
    {
        var opening = Task.Run(() => settings.OpenGrid(cancellation), CancellationToken.None);
        await ProgressView.Run(settings.Json, settings.Sources, progress =>
        {
            _progress = progress;
            return RunOn(opening, settings, cancellation);
        });
        return Report(settings);
    }

    protected override async Task<int> Run(IGrid grid, IngestSettings settings, CancellationToken cancellation)
    {
        _results = await IngestRunner.Run(grid.Client, settings.Sources, settings.ParsedStrategy, _progress, cancellation,
            opaque: settings.Opaque, outage: settings.Contact?.Outage, restarted: (name, lost) => _restarts.Enqueue(
                $"note: '{name}': the silo running its ingest{(lost.Silo is { } silo ? $" ({silo})" : "")} left the cluster; started it again"));
        return ExitCodes.Ok;
    }

    private int Report(IngestSettings settings)
    {
        var sources = settings.Sources;
        foreach (var note in _restarts) Console.Error.WriteLine(note);
        Output.Images(settings.Json, _results.Where(r => r.Image is not null).Select(r => r.Image!).ToArray());
        foreach (var (result, source) in _results.Zip(sources).Where(x => x.First.AlreadyStored))
            Console.Error.WriteLine($"note: '{source.Name}' is already stored with the same content; nothing was written");
        var failed = _results.Where(r => r.State != IngestState.Succeeded).ToArray();
        foreach (var (result, source) in _results.Zip(sources).Where(x => x.First.State != IngestState.Succeeded))
            Fail($"{source.Name}: {result.Error}", 0);
        return failed.Length == 0 ? ExitCodes.Ok : ExitCodeOf(failed[0]);
    }
}
