using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>Deduplicates one segment of one ingest; the work itself is in <see cref="SegmentDeduplicator"/>.</summary>
[Orleans.Placement.ActivationCountBasedPlacement]
public sealed class SegmentGrain(
    ChunkStore store, IndexRouter index, DedupMetrics metrics, IOptions<DedupOptions> options, StoreLayout layout, ILocalSiloDetails silo,
    SegmentSlots slots)
    : Grain, ISegmentGrain
{
    private readonly CancellationTokenSource _cancel = new();

    public async Task<SegmentResult> Process(SegmentWork work)
    {
        try
        {
            var image = GrainFactory.GetGrain<IImageGrain>(work.ImageName);
            var slot = await slots.Enter(_cancel.Token);
            try
            {
                var deduplicator = new SegmentDeduplicator(store, index, metrics, options.Value, layout, work, silo.SiloAddress,
                    bytes => image.ReportProgress(bytes).Ignore(), _cancel.Token);
                var result = await deduplicator.Run(slot);
                return result with { Silo = silo.SiloAddress.ToString() };
            }
            finally
            {
                slots.Leave(slot);
            }
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    public Task Cancel()
    {
        _cancel.Cancel();
        return Task.CompletedTask;
    }
}
