using OrleansDedup.Chunking;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>Cuts runs of a batch's bytes into content-defined chunks and fingerprints them, into the batch's scratch
/// arrays. A run is a stretch of adjacent blocks: non-zero ones (Rabin mode) or those the index did not know (the
/// adaptive residue).</summary>
internal sealed class RunChunker(RabinOptions options, CancellationToken cancellation)
{
    private readonly RabinChunker _chunker = new(options);

    /// <summary>Adds [start, start + length) to the runs, joining it to the last run if it follows on.</summary>
    public static void Extend(List<(int Start, int Length)> runs, int start, int length)
    {
        if (runs.Count > 0 && runs[^1].Start + runs[^1].Length == start) runs[^1] = (runs[^1].Start, runs[^1].Length + length);
        else runs.Add((start, length));
    }

    /// <summary>Cuts each run into content-defined chunks (the chunker starts afresh at every run) and fingerprints them
    /// over all cores; returns each run's first chunk and chunk count.</summary>
    public async Task<List<(int First, int Count)>> Chunk(BatchScratch s, Memory<byte> data, List<(int Start, int Length)> runs)
    {
        s.Chunks.Clear();
        var runChunks = new List<(int First, int Count)>(runs.Count);
        foreach (var (start, length) in runs)
        {
            var first = s.Chunks.Count;
            _chunker.Reset();
            var at = 0;
            while (at < length)
            {
                var n = _chunker.FindBoundary(data.Span.Slice(start + at, length - at));
                var size = n < 0 ? length - at : n;
                s.Chunks.Add((start + at, size));
                at += size;
            }
            runChunks.Add((first, s.Chunks.Count - first));
        }
        var count = s.Chunks.Count;
        if (s.ChunkFingerprints.Length < count)
        {
            s.ChunkFingerprints = new Fingerprint[count];
            s.ChunkDistinct = new int[count];
        }
        await Task.Run(() => FingerprintSlices.Compute(data, count, k => s.Chunks[k], s.ChunkFingerprints, minPerPart: 32), cancellation);
        return runChunks;
    }
}
