namespace OrleansDedup.Chunking;

/// <summary>
/// Fingerprints the slices (blocks, chunks) of one buffer over all cores: each core takes a contiguous run of slices, so
/// a batch costs one delegate and one parallel loop, nothing per slice. Used by ingest (blocks and chunks of a batch) and
/// meant for every place that checks or computes many fingerprints of one buffer (restore and host verification too).
/// </summary>
public static class FingerprintSlices
{
    /// <summary>Where slice <paramref name="slice"/> lies in the buffer.</summary>
    public delegate (int Start, int Length) Locate(int slice);

    /// <summary>Fingerprints slices [0, <paramref name="count"/>) into <paramref name="fingerprints"/>. With
    /// <paramref name="zeros"/>, each slice is zero-checked first and a zero slice is not hashed (its fingerprint is left
    /// as it was); without <paramref name="fingerprints"/>, only the zero check runs.</summary>
    /// <param name="minPerPart">Slices below which a further core is not worth its scheduling.</param>
    public static void Compute(ReadOnlyMemory<byte> data, int count, Locate slice, Fingerprint[]? fingerprints, bool[]? zeros = null,
        int minPerPart = 32) =>
        ForParts(count, minPerPart, (from, to) =>
        {
            var span = data.Span;
            for (var k = from; k < to; k++)
            {
                var (start, length) = slice(k);
                var piece = span.Slice(start, length);
                if (zeros is not null && (zeros[k] = ZeroBlock.IsZero(piece))) continue;
                if (fingerprints is not null) fingerprints[k] = Fingerprint.Compute(piece);
            }
        });

    /// <summary>A slice whose fingerprint is not <paramref name="expected"/>'s, or -1 when every slice matches.</summary>
    public static int FindMismatch(ReadOnlyMemory<byte> data, int count, Locate slice, Func<int, Fingerprint> expected, int minPerPart = 32)
    {
        var bad = -1;
        ForParts(count, minPerPart, (from, to) =>
        {
            var span = data.Span;
            for (var k = from; k < to; k++)
            {
                var (start, length) = slice(k);
                if (Fingerprint.Compute(span.Slice(start, length)) != expected(k)) Volatile.Write(ref bad, k);
            }
        });
        return bad;
    }

    private static void ForParts(int count, int minPerPart, Action<int, int> run)
    {
        var parts = Math.Min(Environment.ProcessorCount, Math.Max(1, count / Math.Max(1, minPerPart)));
        Parallel.For(0, parts, part => run(part * count / parts, (part + 1) * count / parts));
    }
}
