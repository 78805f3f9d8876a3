using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>What a segment found and wrote so far, as the <see cref="DedupStats"/> it reports.</summary>
internal struct SegmentCounters
{
    public long ZeroChunks, DuplicateChunks, NewChunks, ZeroBytes, DuplicateBytes, NewBytes, StoredChunkBytes, IndexEntriesAdded, RecipeBytes;

    public readonly DedupStats ToStats() => new(ZeroChunks, DuplicateChunks, NewChunks, ZeroBytes, DuplicateBytes, NewBytes,
        StoredChunkBytes, IndexEntriesAdded, RecipeBytes);

    public void Duplicate(int length)
    {
        DuplicateChunks++;
        DuplicateBytes += length;
    }

    public void New(int length)
    {
        NewChunks++;
        NewBytes += length;
    }
}
