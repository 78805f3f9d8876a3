using OrleansDedup.Chunking;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>Reads chunks from the grid's store (aliases assembled) and writes them into a destination's cache, a few MiB
/// per call, compressed as the store compresses.</summary>
internal sealed class ChunkSender(CompressionSettings compression, ChunkAssembler assembler, IHostGrain destination)
{
    private const int PieceBytes = 4 << 20;

    /// <summary>Sends the chunks; returns the bytes that crossed the wire.</summary>
    public async Task<long> Send(List<(Fingerprint Fingerprint, int Length)> chunks)
    {
        var compressor = FrameCompressorPool.Rent(compression);
        try
        {
            long wire = 0;
            var views = await assembler.Load(chunks.Select(c => c.Fingerprint).ToArray());
            var at = 0;
            while (at < chunks.Count)
            {
                var size = 0;
                var end = at;
                while (end < chunks.Count && (end == at || size + chunks[end].Length <= PieceBytes)) size += chunks[end++].Length;
                var data = new byte[size];
                var offsets = new int[end - at + 1];
                for (var i = at; i < end; i++)
                {
                    var n = assembler.CopyTo(views[chunks[i].Fingerprint], data.AsSpan(offsets[i - at]));
                    if (n != chunks[i].Length) throw new InvalidDataException($"chunk {chunks[i].Fingerprint} has {n} bytes, the recipe says {chunks[i].Length}");
                    offsets[i - at + 1] = offsets[i - at] + n;
                }
                var packed = new byte[FrameCompressor.Bound(data.Length)];
                var (codec, length) = compressor.Compress(data, packed);
                var payload = codec == FrameCodec.Zstd ? packed[..length] : data;
                wire += payload.Length;
                await destination.Store(new ChunkBatch(chunks.Skip(at).Take(end - at).Select(c => c.Fingerprint).ToArray(), offsets, payload,
                    Compressed: codec == FrameCodec.Zstd));
                at = end;
            }
            return wire;
        }
        finally
        {
            FrameCompressorPool.Return(compression, compressor);
        }
    }
}
