using OrleansDedup.Chunking.Segments;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>What a slot lends the segment that holds it: two batch buffers and two sets of working arrays, one of each
/// for the batch being read and one for the batch being stored. They go from segment to segment, so a silo makes them
/// once per slot: a segment's own working arrays (2 MiB at 32 MiB batches, on the large-object heap) were garbage at its
/// end that only a full collection reclaimed.</summary>
public sealed class SegmentSlot
{
    internal SegmentSlot(DedupOptions options)
    {
        Buffers = [GC.AllocateUninitializedArray<byte>(options.BatchSize), GC.AllocateUninitializedArray<byte>(options.BatchSize)];
        Scratches = [NewScratch(options), NewScratch(options)];
    }

    public byte[][] Buffers { get; }

    public BatchScratch[] Scratches { get; }

    private static BatchScratch NewScratch(DedupOptions options) =>
        new(options.BatchSize, DedupOptions.BlockSize, Math.Min(options.RabinMinSize, DedupOptions.BlockSize));
}
