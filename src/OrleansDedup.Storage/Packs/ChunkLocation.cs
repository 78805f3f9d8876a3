namespace OrleansDedup.Storage;

/// <summary>Where a chunk's bytes live: the pack, the file offset of the frame holding it, and the chunk's range within
/// the frame's raw (decompressed) data. A range inside a chunk is a location too (alias pieces).</summary>
public readonly record struct ChunkLocation(int Pack, long Frame, int Offset, int Length);
