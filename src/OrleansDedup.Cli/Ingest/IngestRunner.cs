using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;

namespace OrleansDedup.Cli.Ingest;

public sealed record ImageSource(string Name, string Path);

/// <summary>Ingests images through their image grains, a few at once and largest first (<see cref="IngestOrder"/>),
/// polling each for progress. An ingest whose silo left the cluster (stopped or died) is started again through the
/// grid's other gateways, a bounded number of times. Cancelling (SIGINT, SIGTERM) leaves at once: the grid treats the ingests as those of a client that went away.</summary>
public static class IngestRunner
{
    /// <summary>Starts of one image's ingest: each silo lost under it costs one; three silos lost in one ingest end it.</summary>
    private const int MaxStarts = 4;

    /// <param name="parallelImages">Images ingested at once. Three keep two cores busy while one image starts or commits;
    /// 1 makes each image's statistics independent of timing (an image counts as duplicate exactly what the images
    /// before it stored).</param>
    /// <param name="outage">How long the grid may be silent about an ingest before it counts as lost (default 20 s).</param>
    /// <param name="restarted">Told of each ingest started again after its silo left, with the status that said so.</param>
    public static async Task<IngestStatus[]> Run(IClusterClient client, IReadOnlyList<ImageSource> images, ChunkingStrategy strategy,
        Action<int, IngestStatus>? progress, CancellationToken cancellation, int parallelImages = 3, bool opaque = false,
        TimeSpan? outage = null, Action<string, IngestStatus>? restarted = null)
    {
        var results = new IngestStatus[images.Count];
        using var gate = new SemaphoreSlim(parallelImages);
        await Task.WhenAll(IngestOrder.LargestFirst(images).Select(async i =>
        {
            var image = images[i];
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                var ingest = new ImageIngest(client.GetGrain<IImageGrain>(image.Name), image.Name, outage ?? TimeSpan.FromSeconds(20),
                    s => progress?.Invoke(i, s), cancellation);
                var request = new IngestRequest(image.Path, strategy, opaque);
                for (var start = 1; ; start++)
                {
                    results[i] = await ingest.Run(request, start > 1 ? results[i] : null);
                    if (results[i].ErrorKind != IngestErrorKind.SiloLost || start == MaxStarts) break;
                    restarted?.Invoke(image.Name, results[i]);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }
}
