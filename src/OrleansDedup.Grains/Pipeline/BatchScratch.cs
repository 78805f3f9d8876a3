using OrleansDedup.Chunking;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>Per-batch working arrays, allocated once per segment and reused for every batch.</summary>
internal sealed class BatchScratch(int batchSize, int minChunkSize)
{
    /// <summary>Where each block of the batch starts, then the batch length: block b is [Starts[b], Starts[b + 1]).</summary>
    public int[] Starts = new int[batchSize / 4096 + 2];

    public Fingerprint[] BlockFingerprints = new Fingerprint[batchSize / 4096 + 1];
    public bool[] BlockIsZero = new bool[batchSize / 4096 + 1];

    /// <summary>For each block, its position in the batch's list of distinct fingerprints (-1: zero block).</summary>
    public int[] BlockDistinct = new int[batchSize / 4096 + 1];

    public readonly DistinctFingerprints Blocks = new(batchSize / 4096 + 1);

    /// <summary>Content-defined chunks of the batch as (start, length), in order.</summary>
    public readonly List<(int Start, int Length)> Chunks = new(batchSize / minChunkSize + 1);

    public Fingerprint[] ChunkFingerprints = new Fingerprint[batchSize / minChunkSize + 1];

    public readonly DistinctFingerprints DistinctChunks = new(batchSize / minChunkSize + 1);

    public int[] ChunkDistinct = new int[batchSize / minChunkSize + 1];

    public int Length(int block) => Starts[block + 1] - Starts[block];

    public Span<byte> Block(Span<byte> batch, int block) => batch[Starts[block]..Starts[block + 1]];

    /// <summary>Zero check and SHA-256 of every block, over all cores.</summary>
    public void FingerprintBlocks(Memory<byte> data, int blocks, bool hash) =>
        FingerprintSlices.Compute(data, blocks, b => (Starts[b], Length(b)), hash ? BlockFingerprints : null, BlockIsZero, minPerPart: 64);

    /// <summary>A container's region ends can cut a batch into more blocks than a uniform grid; the arrays grow then.</summary>
    public void EnsureBlocks(int blocks)
    {
        if (BlockFingerprints.Length >= blocks) return;
        var size = Math.Max(blocks, BlockFingerprints.Length * 2);
        BlockFingerprints = new Fingerprint[size];
        BlockIsZero = new bool[size];
        BlockDistinct = new int[size];
    }
}

/// <summary>The distinct fingerprints of a batch, each with where it first occurs: one index message carries each
/// fingerprint once.</summary>
internal sealed class DistinctFingerprints(int capacity)
{
    private readonly Dictionary<Fingerprint, int> _positions = new(capacity);
    private readonly List<Fingerprint> _fingerprints = new(capacity);
    private readonly List<int> _firstOccurrence = new(capacity);

    public int Count => _fingerprints.Count;

    public void Clear()
    {
        _positions.Clear();
        _fingerprints.Clear();
        _firstOccurrence.Clear();
    }

    /// <summary>Returns the fingerprint's position in the batch's list, adding it at <paramref name="occurrence"/> if new.</summary>
    public int Add(in Fingerprint fingerprint, int occurrence)
    {
        if (_positions.TryGetValue(fingerprint, out var at)) return at;
        at = _fingerprints.Count;
        _positions.Add(fingerprint, at);
        _fingerprints.Add(fingerprint);
        _firstOccurrence.Add(occurrence);
        return at;
    }

    public Fingerprint this[int position] => _fingerprints[position];

    public int FirstOccurrence(int position) => _firstOccurrence[position];

    public Fingerprint[] FingerprintArray() => _fingerprints.ToArray();

}
