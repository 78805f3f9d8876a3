namespace OrleansDedup.Chunking.Segments;

/// <summary>What a segment found and wrote so far: chunks and bytes by kind (zero, duplicate, new), what storing them
/// cost (pack bytes, index entries, recipe bytes). The grid reports it as its stats message.</summary>
public struct SegmentCounts
{
    public long ZeroChunks { readonly get; private set; }

    public long DuplicateChunks { readonly get; private set; }

    public long NewChunks { readonly get; private set; }

    public long ZeroBytes { readonly get; private set; }

    public long DuplicateBytes { readonly get; private set; }

    public long NewBytes { readonly get; private set; }

    /// <summary>Bytes fingerprinted: the non-zero blocks, and the chunks content-defined chunking cut (the adaptive
    /// method's residue is fingerprinted twice, as blocks and as chunks).</summary>
    public long HashedBytes { readonly get; private set; }

    /// <summary>What the segment's pack holds so far, compressed and framed.</summary>
    public long StoredChunkBytes { readonly get; set; }

    public long IndexEntriesAdded { readonly get; private set; }

    public long RecipeBytes { readonly get; set; }

    /// <summary>A run of zeros: it counts as one zero chunk per block it spans, as the recipe keeps it.</summary>
    public void Zero(int length, int blockSize)
    {
        ZeroChunks += (length + blockSize - 1) / blockSize;
        ZeroBytes += length;
    }

    public void Hashed(int length) => HashedBytes += length;

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

    /// <summary>Counts the entries the index took: an entry that collided (was inserted first by another) did not add.</summary>
    public void IndexInserted(ReadOnlySpan<bool> collided)
    {
        foreach (var c in collided)
            if (!c) IndexEntriesAdded++;
    }
}
