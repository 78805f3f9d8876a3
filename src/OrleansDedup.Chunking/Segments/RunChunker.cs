namespace OrleansDedup.Chunking.Segments;

/// <summary>Cuts the runs of a batch into content-defined chunks and fingerprints them, into the batch's
/// <see cref="BatchScratch"/>. A run is a stretch of adjacent blocks: non-zero ones (Rabin mode) or those the index did
/// not know (the adaptive residue). One per segment: it holds the chunker's tables and window.</summary>
public sealed class RunChunker(RabinOptions options, CancellationToken cancellation)
{
    private readonly RabinChunker _chunker = new(options);

    /// <summary>Cuts each of the scratch's runs into chunks (the chunker starts afresh at every run, so a run's cuts do
    /// not depend on what came before it) and fingerprints them over all cores.</summary>
    public Task Chunk(BatchScratch s, ReadOnlyMemory<byte> data)
    {
        s.ClearChunks();
        for (var r = 0; r < s.RunCount; r++)
        {
            var (start, length) = s.Run(r);
            _chunker.Reset();
            for (var at = 0; at < length;)
            {
                var n = _chunker.FindBoundary(data.Span.Slice(start + at, length - at));
                var size = n < 0 ? length - at : n;
                s.AddChunk(start + at, size);
                at += size;
            }
            s.EndRun();
        }
        return Task.Run(() => s.FingerprintChunks(data), cancellation);
    }
}
