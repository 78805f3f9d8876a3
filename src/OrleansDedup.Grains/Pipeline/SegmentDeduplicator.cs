using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Chunking;
using OrleansDedup.Chunking.Segments;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Index;
using OrleansDedup.Storage.Packs;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>
/// Deduplicates one segment, batch by batch, in two stages: while a batch is stored (claims, chunking of the residue,
/// compression, fsync, index inserts), the next one is read and its blocks zero-checked and fingerprinted, each batch
/// with its own buffer and working arrays. Batches are stored in order, one at a time.
/// Blocks follow the segment's <see cref="BlockGrid"/>: uniform 4 KiB for opaque files; for a recognised container,
/// guest data cut at guest-block alignment and metadata cut from its own start (batch ends always fall on cuts).
/// Fixed mode: the grid's blocks. Rabin mode: zero blocks, then content-defined chunks of the runs between them.
/// Fixed-then-Rabin (the adaptive method): 4 KiB blocks first; the blocks the index does not know go through
/// Rabin chunking, and each becomes an alias of pieces of those chunks, so that later ingests still match it by
/// its fixed fingerprint while its bytes are stored once, as content-defined chunks.
/// New bytes are made durable in the pack before the index may point at them, and are written by one ingest only:
/// the index claims a new chunk for the first segment that meets it (<see cref="ChunkClaims"/>).
/// </summary>
internal sealed class SegmentDeduplicator(
    ChunkStore store, IndexRouter index, DedupMetrics metrics, DedupOptions options, StoreLayout layout, SegmentWork work,
    SiloAddress silo, Action<long> progress, CancellationToken cancellation)
{
    private const int Block = DedupOptions.BlockSize;

    private readonly ChunkClaims _claims = new(index, silo, cancellation);
    private readonly RunChunker _runs = new(options.Rabin, cancellation);
    private readonly BlockGrid _grid = work.Grid is { Length: > 0 } spans ? BlockGrid.Anchored(Block, spans) : BlockGrid.Uniform(Block);
    private readonly List<int> _appended = [];
    private BatchScratch _scratch = null!;
    private PackWriter? _pack;
    private RecipeWriter _recipe = null!;
    private SegmentCounts _stats;

    /// <param name="slot">The buffers and working arrays of the batch being read and of the one being stored; they are the
    /// caller's again once this returns.</param>
    public async Task<SegmentResult> Run(SegmentSlot slot)
    {
        var (buffers, scratches) = (slot.Buffers, slot.Scratches);
        var recipePath = layout.RecipeOf(work.RecipePath);
        Task<int>? reading = null;
        var meter = metrics.StartSegment();
        try
        {
            using var source = new SegmentSource(work.SourcePath, work.SourceLength, work.Offset, work.Length, work.SourceRoot, work.SourceIdentity);
            await using (_recipe = new RecipeWriter(recipePath, layout.Runs, work.Offset, work.Length))
            {
                reading = Prepare(source, buffers[0], scratches[0], 0);
                for (long position = 0, k = 0; position < work.Length; k++)
                {
                    var length = BatchLength(position);
                    var blocks = await reading!; // set for every position before the end
                    var next = position + length;
                    reading = next < work.Length ? Prepare(source, buffers[(k + 1) % 2], scratches[(k + 1) % 2], next) : null;
                    _scratch = scratches[k % 2];
                    if (blocks >= 0) await StoreBatch(buffers[k % 2].AsMemory(0, length), work.Offset + position);
                    else AddZeroRun(length);
                    _stats.StoredChunkBytes = _pack?.StoredBytes ?? 0;
                    progress(length);
                    meter.Report(_stats.ToStats());
                    position = next;
                    cancellation.ThrowIfCancellationRequested();
                }
                source.CheckLength();
                _pack?.Dispose();
                _stats.StoredChunkBytes = _pack?.StoredBytes ?? 0;
                var digest = await _recipe.Complete();
                _stats.RecipeBytes = _recipe.Bytes;
                meter.Complete(succeeded: true);
                return new SegmentResult(work.Index, _stats.ToStats(), digest, "");
            }
        }
        catch
        {
            meter.Complete(succeeded: false);
            if (reading is not null) await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            _pack?.Dispose();
            File.Delete(recipePath);
            await _claims.ReleaseAll();
            throw;
        }
    }

    /// <summary>A batch ends on a grid cut, so that no block straddles two batches.</summary>
    private int BatchLength(long position)
    {
        var end = Math.Min(position + options.BatchSize, work.Length);
        if (end < work.Length) end = _grid.CutAtOrBefore(work.Offset + end) - work.Offset;
        return (int)(end - position);
    }

    /// <summary>The first stage: reads the batch at <paramref name="position"/>, cuts it into blocks and zero-checks and
    /// fingerprints them into <paramref name="scratch"/>. Returns the number of blocks, or -1 for a batch that is all hole.</summary>
    private Task<int> Prepare(SegmentSource source, byte[] buffer, BatchScratch scratch, long position)
    {
        var length = BatchLength(position);
        return Task.Run(() =>
        {
            var fileOffset = work.Offset + position;
            if (!source.Read(fileOffset, buffer.AsSpan(0, length))) return -1;
            return scratch.CutBlocks(_grid, fileOffset, buffer.AsMemory(0, length), hash: work.Mode != SegmentMode.Rabin);
        }, cancellation);
    }

    private void AddZeroRun(int length)
    {
        _recipe.AddZero(length);
        _stats.Zero(length, Block);
    }

    /// <summary>The second stage, on a batch <see cref="Prepare"/> has fingerprinted into <see cref="_scratch"/>.</summary>
    private Task StoreBatch(Memory<byte> data, long fileOffset) => work.Mode == SegmentMode.Rabin
        ? RabinBatch(data)
        : FixedBatch(data, fileOffset, work.Mode == SegmentMode.FixedThenRabin);

    private async Task FixedBatch(Memory<byte> data, long fileOffset, bool rabinResidue)
    {
        var s = _scratch;
        var distinct = s.Blocks;
        s.CollectDistinctBlocks();

        var fingerprints = distinct.FingerprintArray();
        // The adaptive method claims its blocks too: two ingests that both made aliases of a block would chunk their
        // residues apart, and the chunks of the alias that lost the insert would be garbage.
        var known = await _claims.Take(fingerprints, rabinResidue
            ? owned => StoreResidue(data, owned, fingerprints)
            : owned => StoreBlocks(data, owned, fingerprints));

        for (var b = 0; b < s.BlockCount; b++)
        {
            var length = s.Length(b);
            if (s.IsZero(b))
            {
                AddZeroRun(length);
                continue;
            }
            _stats.Hashed(length);
            _recipe.AddData(length, s.BlockFingerprint(b), containerOwn: _grid.IsMetadata(fileOffset + s.Start(b)));
            var position = s.BlockDistinct(b);
            if (known[position] || distinct.FirstOccurrence(position) != b) _stats.Duplicate(length);
            else if (!rabinResidue) _stats.New(length);
        }
    }

    /// <summary>Fixed mode: the first occurrence of each block the segment claimed is stored as a chunk.</summary>
    private Task StoreBlocks(Memory<byte> data, int[] owned, Fingerprint[] fingerprints)
    {
        var entries = new NewIndexEntry[owned.Length];
        for (var j = 0; j < owned.Length; j++)
        {
            var i = owned[j];
            entries[j] = Append(fingerprints[i], _scratch.Block(data.Span, _scratch.Blocks.FirstOccurrence(i)));
        }
        return InsertDurably(entries);
    }

    /// <summary>Adaptive residue: the blocks the segment claimed, in runs of adjacent blocks, go through Rabin chunking;
    /// new chunks are stored, and each of those blocks becomes an alias of pieces of those chunks.</summary>
    private async Task StoreResidue(Memory<byte> data, int[] owned, Fingerprint[] blockFingerprints)
    {
        var s = _scratch;
        var residue = new int[owned.Length];
        for (var j = 0; j < owned.Length; j++) residue[j] = s.Blocks.FirstOccurrence(owned[j]);
        Array.Sort(residue);
        s.ClearRuns();
        foreach (var b in residue) s.AddToRuns(b);
        await _runs.Chunk(s, data);

        var aliases = ResidueAliases.Build(s, residue, blockFingerprints);
        s.CollectDistinctChunks();
        var (known, chunkFingerprints) = await StoreChunks(data, s.DistinctChunks);
        for (var k = 0; k < s.ChunkCount; k++) CountChunk(known, k);

        await InsertAliases(aliases, chunkFingerprints);
    }

    /// <summary>Inserts a batch's aliases once their chunks are durable: a shard that crashed with those unflushed would
    /// otherwise come back without chunks that a surviving alias points at. (Doing this for several batches at once saves
    /// flushes, about 10 % of adaptive throughput, but holds the blocks' claims that long, and a concurrent ingest of
    /// similar data waits on them.) An alias another ingest inserted first wins; the chunks of ours are garbage for gc.</summary>
    private async Task InsertAliases(NewIndexEntry[] aliases, Fingerprint[] chunks)
    {
        await index.FlushShardsOf(chunks, work.Epochs);
        _stats.IndexInserted(await index.Insert(aliases));
    }

    private async Task RabinBatch(Memory<byte> data)
    {
        var s = _scratch;
        var blocks = s.BlockCount;
        s.ClearRuns();
        for (var b = 0; b < blocks; b++)
            if (!s.IsZero(b)) s.AddToRuns(b);
        await _runs.Chunk(s, data);

        s.CollectDistinctChunks();
        var (known, _) = await StoreChunks(data, s.DistinctChunks);

        for (int b = 0, r = 0; b < blocks;)
        {
            if (s.IsZero(b))
            {
                AddZeroRun(s.Length(b++));
                continue;
            }
            var (first, count) = s.RunChunks(r);
            for (var k = first; k < first + count; k++)
            {
                _recipe.AddData(s.Chunk(k).Length, s.ChunkFingerprint(k));
                CountChunk(known, k);
            }
            var (runStart, runLength) = s.Run(r);
            while (b < blocks && s.Start(b) < runStart + runLength) b++;
            r++;
        }
    }

    /// <summary>A chunk is new where the segment stored it: the first occurrence in the batch of one it claimed. Every chunk
    /// the batch was cut into was fingerprinted.</summary>
    private void CountChunk(bool[] known, int k)
    {
        var length = _scratch.Chunk(k).Length;
        _stats.Hashed(length);
        var position = _scratch.ChunkDistinct(k);
        if (known[position] || _scratch.DistinctChunks.FirstOccurrence(position) != k) _stats.Duplicate(length);
        else _stats.New(length);
    }

    /// <summary>Stores the first occurrence of each chunk the segment claims durably and indexes it; returns, per distinct
    /// chunk, whether bytes stored before (or by another ingest) serve it, with the fingerprints it sent.</summary>
    private async Task<(bool[] Known, Fingerprint[] Fingerprints)> StoreChunks(Memory<byte> data, DistinctFingerprints distinct)
    {
        var fingerprints = distinct.FingerprintArray();
        var known = await _claims.Take(fingerprints, owned =>
        {
            var entries = new NewIndexEntry[owned.Length];
            for (var j = 0; j < owned.Length; j++)
            {
                var (start, length) = _scratch.Chunk(distinct.FirstOccurrence(owned[j]));
                entries[j] = Append(fingerprints[owned[j]], data.Span.Slice(start, length));
            }
            return InsertDurably(entries);
        });
        return (known, fingerprints);
    }

    /// <summary>Appends a chunk to the segment's pack; its entry gets its location when <see cref="InsertDurably"/> has
    /// flushed it (a chunk's place is known only once its frame is compressed).</summary>
    private NewIndexEntry Append(in Fingerprint fingerprint, ReadOnlySpan<byte> bytes)
    {
        _appended.Add(Pack().Append(fingerprint, bytes));
        return new NewIndexEntry(fingerprint, default, null);
    }

    /// <summary>Fsyncs the pack, then lets the index point at the new chunks. An entry inserted first all the same (an
    /// alias of the same fingerprint, or a claim taken over from an owner that outlived its lease) keeps its bytes; ours
    /// become garbage for the collector.</summary>
    /// <remarks><paramref name="entries"/> are what <see cref="Append"/> returned since the last call, in that order.</remarks>
    private async Task InsertDurably(NewIndexEntry[] entries)
    {
        if (entries.Length == 0) return;
        _pack!.Flush();
        for (var i = 0; i < entries.Length; i++) entries[i] = entries[i] with { Location = _pack.LocationOf(_appended[i]) };
        _appended.Clear();
        _stats.IndexInserted(await index.Insert(entries));
    }

    private PackWriter Pack() => _pack ??= store.CreateWriter();
}
