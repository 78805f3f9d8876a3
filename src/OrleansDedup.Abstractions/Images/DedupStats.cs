namespace OrleansDedup.Abstractions.Images;

/// <summary>What deduplication did with an image (or a segment, or everything): counts by chunk kind and sizes, and the
/// bytes it fingerprinted.</summary>
[GenerateSerializer, Immutable]
public sealed record DedupStats(
    [property: Id(0)] long ZeroChunks,
    [property: Id(1)] long DuplicateChunks,
    [property: Id(2)] long NewChunks,
    [property: Id(3)] long ZeroBytes,
    [property: Id(4)] long DuplicateBytes,
    [property: Id(5)] long NewBytes,
    [property: Id(6)] long StoredChunkBytes,
    [property: Id(7)] long IndexEntriesAdded,
    [property: Id(8)] long RecipeBytes,
    [property: Id(9)] long HashedBytes = 0)
{
    public static readonly DedupStats Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Bytes an index entry costs on disk (fingerprint, location, references, framing).</summary>
    public const int IndexEntryBytes = 64;

    public long MetadataBytes => IndexEntriesAdded * IndexEntryBytes + RecipeBytes;

    public long StoredBytes => StoredChunkBytes + MetadataBytes;

    /// <summary>Raw bytes of the new chunks over what they cost in the packs (1 when nothing was stored).</summary>
    public double CompressionRatio => StoredChunkBytes == 0 ? 1 : (double)NewBytes / StoredChunkBytes;

    public static DedupStats operator +(DedupStats a, DedupStats b) => new(
        a.ZeroChunks + b.ZeroChunks, a.DuplicateChunks + b.DuplicateChunks, a.NewChunks + b.NewChunks,
        a.ZeroBytes + b.ZeroBytes, a.DuplicateBytes + b.DuplicateBytes, a.NewBytes + b.NewBytes,
        a.StoredChunkBytes + b.StoredChunkBytes, a.IndexEntriesAdded + b.IndexEntriesAdded, a.RecipeBytes + b.RecipeBytes,
        a.HashedBytes + b.HashedBytes);
}
