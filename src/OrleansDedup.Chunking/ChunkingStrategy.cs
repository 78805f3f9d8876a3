namespace OrleansDedup.Chunking;

/// <summary>How an image is cut into chunks.</summary>
public enum ChunkingStrategy
{
    /// <summary>Fixed 4 KiB blocks for images under one segment; larger images: fixed blocks first, and the
    /// blocks that stayed unique go through Rabin content-defined chunking.</summary>
    Adaptive,

    /// <summary>Fixed 4 KiB blocks only.</summary>
    Fixed,

    /// <summary>Rabin-Karp content-defined chunking only.</summary>
    Rabin,
}
