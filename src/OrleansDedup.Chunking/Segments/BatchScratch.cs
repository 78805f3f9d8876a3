namespace OrleansDedup.Chunking.Segments;

/// <summary>
/// One batch's working arrays: its blocks (where they start, zero or not, fingerprints, distinct positions), the runs
/// of blocks that go through content-defined chunking, and the chunks cut from them (<see cref="RunChunker"/>).
/// Allocated once per segment and reused for every batch; an array grows only when a batch needs more than it holds,
/// so nothing is allocated per block or per chunk.
/// </summary>
public sealed class BatchScratch
{
    private readonly List<(int Start, int Length)> _chunks;
    private readonly List<(int Start, int Length)> _runs;
    private readonly List<(int First, int Count)> _runChunks;
    private readonly FingerprintSlices.Locate _locateBlock;
    private readonly FingerprintSlices.Locate _locateChunk;
    private int[] _starts;
    private Fingerprint[] _blockFingerprints;
    private bool[] _blockIsZero;
    private int[] _blockDistinct;
    private Fingerprint[] _chunkFingerprints;
    private int[] _chunkDistinct;

    /// <param name="minChunkSize">The smallest chunk a batch can be cut into: it sizes the chunk arrays.</param>
    public BatchScratch(int batchSize, int blockSize, int minChunkSize)
    {
        var blocks = batchSize / blockSize + 1;
        _starts = new int[blocks + 1];
        _blockFingerprints = new Fingerprint[blocks];
        _blockIsZero = new bool[blocks];
        _blockDistinct = new int[blocks];
        Blocks = new DistinctFingerprints(blocks);
        var chunks = batchSize / minChunkSize + 1;
        _chunks = new(chunks);
        _chunkFingerprints = new Fingerprint[chunks];
        _chunkDistinct = new int[chunks];
        DistinctChunks = new DistinctFingerprints(chunks);
        _runs = new(blocks);
        _runChunks = new(blocks);
        // Made once: a lambda passed per batch would be a new delegate each time.
        _locateBlock = b => (_starts[b], _starts[b + 1] - _starts[b]);
        _locateChunk = k => _chunks[k];
    }

    /// <summary>The blocks <see cref="CutBlocks"/> cut the batch into.</summary>
    public int BlockCount { get; private set; }

    /// <summary>The distinct fingerprints of the non-zero blocks (<see cref="CollectDistinctBlocks"/>).</summary>
    public DistinctFingerprints Blocks { get; }

    /// <summary>The distinct fingerprints of the chunks (<see cref="CollectDistinctChunks"/>).</summary>
    public DistinctFingerprints DistinctChunks { get; }

    public int ChunkCount => _chunks.Count;

    public int RunCount => _runs.Count;

    /// <summary>Where block <paramref name="block"/> starts in the batch; block b is [Start(b), Start(b + 1)), and
    /// Start(BlockCount) is the batch's length.</summary>
    public int Start(int block) => _starts[block];

    public int Length(int block) => _starts[block + 1] - _starts[block];

    public Span<byte> Block(Span<byte> batch, int block) => batch[_starts[block].._starts[block + 1]];

    public bool IsZero(int block) => _blockIsZero[block];

    /// <summary>The block's SHA-256 (unset for a zero block, or when <see cref="CutBlocks"/> did not hash).</summary>
    public ref readonly Fingerprint BlockFingerprint(int block) => ref _blockFingerprints[block];

    /// <summary>The block's position in <see cref="Blocks"/>, -1 for a zero block.</summary>
    public int BlockDistinct(int block) => _blockDistinct[block];

    public (int Start, int Length) Chunk(int chunk) => _chunks[chunk];

    public ref readonly Fingerprint ChunkFingerprint(int chunk) => ref _chunkFingerprints[chunk];

    /// <summary>The chunk's position in <see cref="DistinctChunks"/>.</summary>
    public int ChunkDistinct(int chunk) => _chunkDistinct[chunk];

    public (int Start, int Length) Run(int run) => _runs[run];

    /// <summary>The chunks run <paramref name="run"/> was cut into: [First, First + Count).</summary>
    public (int First, int Count) RunChunks(int run) => _runChunks[run];

    /// <summary>Cuts <paramref name="data"/>, which lies at <paramref name="fileOffset"/> in the file, at the grid's
    /// cuts; zero-checks every block and, with <paramref name="hash"/>, fingerprints the non-zero ones, over all cores.
    /// Returns the block count. Both ends of the batch must be cuts.</summary>
    public int CutBlocks(BlockGrid grid, long fileOffset, ReadOnlyMemory<byte> data, bool hash)
    {
        // A container's region ends can cut a batch into more blocks than a uniform grid; the arrays grow then.
        var blocks = grid.Cut(fileOffset, data.Length, ref _starts);
        if (_blockFingerprints.Length < blocks)
        {
            var size = Math.Max(blocks, _blockFingerprints.Length * 2);
            _blockFingerprints = new Fingerprint[size];
            _blockIsZero = new bool[size];
            _blockDistinct = new int[size];
        }
        FingerprintSlices.Compute(data, blocks, _locateBlock, hash ? _blockFingerprints : null, _blockIsZero, minPerPart: 64);
        return BlockCount = blocks;
    }

    /// <summary>Fills <see cref="Blocks"/> with the fingerprints of the non-zero blocks, each once.</summary>
    public void CollectDistinctBlocks()
    {
        Blocks.Clear();
        for (var b = 0; b < BlockCount; b++) _blockDistinct[b] = _blockIsZero[b] ? -1 : Blocks.Add(_blockFingerprints[b], b);
    }

    /// <summary>Fills <see cref="DistinctChunks"/> with the chunks' fingerprints, each once.</summary>
    public void CollectDistinctChunks()
    {
        DistinctChunks.Clear();
        for (var k = 0; k < _chunks.Count; k++) _chunkDistinct[k] = DistinctChunks.Add(_chunkFingerprints[k], k);
    }

    public void ClearRuns() => _runs.Clear();

    /// <summary>Adds block <paramref name="block"/> to the runs, joining it to the last run if it follows on.</summary>
    public void AddToRuns(int block)
    {
        int start = _starts[block], length = Length(block);
        if (_runs.Count > 0 && _runs[^1].Start + _runs[^1].Length == start) _runs[^1] = (_runs[^1].Start, _runs[^1].Length + length);
        else _runs.Add((start, length));
    }

    internal void ClearChunks()
    {
        _chunks.Clear();
        _runChunks.Clear();
    }

    internal void AddChunk(int start, int length) => _chunks.Add((start, length));

    /// <summary>Ends the run whose chunks were added since the last run ended.</summary>
    internal void EndRun()
    {
        var first = _runChunks.Count == 0 ? 0 : _runChunks[^1].First + _runChunks[^1].Count;
        _runChunks.Add((first, _chunks.Count - first));
    }

    /// <summary>SHA-256 of every chunk, over all cores.</summary>
    internal void FingerprintChunks(ReadOnlyMemory<byte> data)
    {
        if (_chunkFingerprints.Length < _chunks.Count)
        {
            _chunkFingerprints = new Fingerprint[_chunks.Count];
            _chunkDistinct = new int[_chunks.Count];
        }
        FingerprintSlices.Compute(data, _chunks.Count, _locateChunk, _chunkFingerprints, minPerPart: 32);
    }
}
