namespace OrleansDedup.Storage;

/// <summary>Where a chunk's bytes live: pack id, offset of the data (past its record header) and length.</summary>
public readonly record struct ChunkLocation(int Pack, long Offset, int Length);
