using System.Collections.Concurrent;

namespace OrleansDedup.Storage.Compression;

/// <summary>Compressors shared by the writers of a process, per setting: a zstd context holds about a megabyte, so
/// writers borrow one per frame instead of each keeping one per core.</summary>
public static class FrameCompressorPool
{
    private static readonly ConcurrentDictionary<CompressionSettings, ConcurrentBag<FrameCompressor>> Pools = new();

    public static FrameCompressor Rent(CompressionSettings settings) =>
        Pools.GetOrAdd(settings, _ => []).TryTake(out var compressor) ? compressor : new FrameCompressor(settings);

    public static void Return(CompressionSettings settings, FrameCompressor compressor) => Pools.GetOrAdd(settings, _ => []).Add(compressor);
}
