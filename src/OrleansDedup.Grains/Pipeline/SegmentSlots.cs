using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>
/// Bounds the segments a silo deduplicates at once, however many ingests run, and owns their batch buffers: a slot's
/// two buffers go to the next segment that takes it, so a silo holds at most two per slot. (The shared array pool
/// would also park a returned buffer in the slot of each thread that gave one back: 32 MiB apiece on a silo host.)
/// Further segments wait for a slot, first come first served; a waiting segment holds no claim, so the running ones
/// never wait on it.
/// </summary>
public sealed class SegmentSlots(IOptions<DedupOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(options.Value.MaxSegmentsPerSilo);
    private readonly ConcurrentStack<byte[][]> _buffers = new();

    /// <summary>Waits for a slot and returns its two batch buffers, which the caller gives back with <see cref="Leave"/>.
    /// A cancelled wait takes no slot.</summary>
    public async Task<byte[][]> Enter(CancellationToken cancellation)
    {
        await _free.WaitAsync(cancellation);
        if (_buffers.TryPop(out var buffers)) return buffers;
        var size = options.Value.BatchSize;
        return [GC.AllocateUninitializedArray<byte>(size), GC.AllocateUninitializedArray<byte>(size)];
    }

    public void Leave(byte[][] buffers)
    {
        _buffers.Push(buffers);
        _free.Release();
    }

    public void Dispose() => _free.Dispose();
}
