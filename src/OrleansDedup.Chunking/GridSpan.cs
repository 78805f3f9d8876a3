namespace OrleansDedup.Chunking;

/// <summary>
/// A byte range of a file that is cut into fixed blocks anchored inside it: a cut falls wherever
/// (position - <see cref="Start"/> + <see cref="Phase"/>) is a multiple of the block size, and at both ends.
/// A guest data run has the guest offset of its first byte as phase, so its blocks line up with the guest's blocks.
/// <see cref="Metadata"/> marks a container's own bytes (headers, tables, bitmaps), which other containers of the same
/// guest do not share.
/// </summary>
public readonly record struct GridSpan(long Start, long Length, long Phase, bool Metadata = false)
{
    public long End => Start + Length;
}
