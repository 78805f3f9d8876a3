using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Cli.Rendering;
using Spectre.Console;

namespace OrleansDedup.Cli.Commands;

/// <summary>Deduplicates images into the store.</summary>
public sealed class IngestCommand : GridCommand<IngestSettings>
{
    protected override Task Preflight(IngestSettings settings)
    {
        // Against a cluster the silos read the paths, so they are checked there.
        if (settings.Contact is null) ImagePaths.Check(settings.Sources);
        return Task.CompletedTask;
    }

    protected override async Task<int> Run(IGrid grid, IngestSettings settings, CancellationToken cancellation)
    {
        var sources = settings.Sources;
        var restarts = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var results = await ProgressView.Run(settings.Json, sources,
            progress => IngestRunner.Run(grid.Client, sources, settings.ParsedStrategy, progress, cancellation, opaque: settings.Opaque,
                outage: settings.Contact?.Outage, restarted: (name, lost) => restarts.Enqueue(
                    $"note: '{name}': the silo running its ingest{(lost.Silo is { } silo ? $" ({silo})" : "")} left the cluster; started it again")));
        foreach (var note in restarts) Console.Error.WriteLine(note);
        Output.Images(settings.Json, results.Where(r => r.Image is not null).Select(r => r.Image!).ToArray());
        foreach (var (result, source) in results.Zip(sources).Where(x => x.First.AlreadyStored))
            Console.Error.WriteLine($"note: '{source.Name}' is already stored with the same content; nothing was written");
        var failed = results.Where(r => r.State != IngestState.Succeeded).ToArray();
        foreach (var (result, source) in results.Zip(sources).Where(x => x.First.State != IngestState.Succeeded))
            Fail($"{source.Name}: {result.Error}", 0);
        return failed.Length == 0 ? ExitCodes.Ok : ExitCodeOf(failed[0]);
    }
}
