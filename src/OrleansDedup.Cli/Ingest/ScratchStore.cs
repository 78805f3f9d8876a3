using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Commands;
using OrleansDedup.Cli.Hosting;

namespace OrleansDedup.Cli.Ingest;

/// <summary>Ingests images, one after another in the given order, into a throw-away store under one strategy, for
/// `compare` and `bench`.</summary>
public static class ScratchStore
{
    public sealed record Outcome(ChunkingStrategy Strategy, StoreReport Report, double Seconds);

    public static async Task<Outcome> Run(GridSettings settings, IReadOnlyList<ImageSource> images, ChunkingStrategy strategy,
        CancellationToken cancellation)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"orleans-dedup-{strategy.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}");
        try
        {
            await using var grid = await EmbeddedGrid.StartAsync(directory, options => settings.Configure(options, directory), cancellation);
            var started = DateTime.UtcNow;
            var results = await IngestRunner.Run(grid.Client, images, strategy, null, cancellation, parallelImages: 1);
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            var failed = results.FirstOrDefault(r => r.State != IngestState.Succeeded);
            if (failed is not null) throw new IngestException(failed.ErrorKind, failed.Error ?? "an ingest failed");
            return new Outcome(strategy, await grid.Client.GetGrain<IStoreOperationsGrain>(0).Statistics(), seconds);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
