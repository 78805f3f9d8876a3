namespace OrleansDedup.Chunking;

/// <summary>The address the index maps a fingerprint to: the pack, the file offset of the frame holding the chunk, and
/// the chunk's range (offset, length) within the frame's raw (decompressed) data. A range inside a chunk is a location
/// too (alias pieces).</summary>
public readonly record struct ChunkLocation(int Pack, long Frame, int Offset, int Length);
