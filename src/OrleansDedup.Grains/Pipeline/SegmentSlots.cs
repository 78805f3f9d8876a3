using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>
/// Bounds the segments a silo deduplicates at once, however many ingests run, and owns their batch buffers and working
/// arrays (<see cref="SegmentSlot"/>): a slot's go to the next segment that takes it, so a silo holds at most two
/// buffers per slot. (The shared array pool would also park a returned buffer in the slot of each thread that gave one
/// back: 32 MiB apiece on a silo host.)
/// Further segments wait for a slot, first come first served; a waiting segment holds no claim, so the running ones
/// never wait on it.
/// </summary>
public sealed class SegmentSlots(IOptions<DedupOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(options.Value.MaxSegmentsPerSilo);
    private readonly ConcurrentStack<SegmentSlot> _slots = new();

    /// <summary>Waits for a slot and returns it, for the caller to give back with <see cref="Leave"/>. A cancelled wait
    /// takes no slot.</summary>
    public async Task<SegmentSlot> Enter(CancellationToken cancellation)
    {
        await _free.WaitAsync(cancellation);
        return _slots.TryPop(out var slot) ? slot : new SegmentSlot(options.Value);
    }

    public void Leave(SegmentSlot slot)
    {
        _slots.Push(slot);
        _free.Release();
    }

    public void Dispose() => _free.Dispose();
}
