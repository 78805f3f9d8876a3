using Microsoft.Extensions.Options;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>
/// Bounds the segments a silo deduplicates at once, however many ingests run: each running segment holds two batch
/// buffers and its pack's pending frames (about four times <see cref="DedupOptions.BatchSize"/>), so a silo's memory
/// does not grow with the number of images ingested together. Further segments wait for a slot, first come first
/// served; a waiting segment holds no claim, so the running ones never wait on it.
/// </summary>
public sealed class SegmentSlots(IOptions<DedupOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(options.Value.MaxSegmentsPerSilo);

    /// <summary>Waits for a slot; the caller gives it back with <see cref="Leave"/>. A cancelled wait takes none.</summary>
    public Task Enter(CancellationToken cancellation) => _free.WaitAsync(cancellation);

    public void Leave() => _free.Release();

    public void Dispose() => _free.Dispose();
}
