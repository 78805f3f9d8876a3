namespace OrleansDedup.Chunking;

/// <summary>A byte range of a stored chunk; an alias is a 4 KiB block assembled from such pieces.</summary>
public readonly record struct AliasPiece(Fingerprint Chunk, int Offset, int Length);
