using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Segments;

/// <summary>Deduplicates one segment of one ingest; the work itself is in <see cref="SegmentDeduplicator"/>.</summary>
public sealed class SegmentGrain(ChunkStore store, IndexRouter index, IOptions<DedupOptions> options, StoreLayout layout, ILocalSiloDetails silo)
    : Grain, ISegmentGrain
{
    public async Task<SegmentResult> Process(SegmentWork work, CancellationToken cancellationToken)
    {
        var image = GrainFactory.GetGrain<IImageGrain>(work.ImageName);
        var deduplicator = new SegmentDeduplicator(store, index, options.Value, layout, work, bytes => image.ReportProgress(bytes).Ignore(), cancellationToken);
        var result = await deduplicator.Run();
        DeactivateOnIdle();
        return result with { Silo = silo.SiloAddress.ToString() };
    }
}
