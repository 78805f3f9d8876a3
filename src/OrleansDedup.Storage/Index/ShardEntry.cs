using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Index;

/// <summary>An index entry in memory: a stored chunk, or (Pieces set) an alias assembled from stored chunks.</summary>
public readonly record struct ShardEntry(ChunkLocation Location, AliasPiece[]? Pieces)
{
    public int Length => Pieces is null ? Location.Length : Pieces.Sum(p => p.Length);
}
