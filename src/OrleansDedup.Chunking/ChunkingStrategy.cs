namespace OrleansDedup.Chunking;

/// <summary>How an image is cut into chunks.</summary>
public enum ChunkingStrategy
{
    /// <summary>Fixed 4 KiB blocks for images under one segment; larger images: fixed blocks first, and the
    /// blocks that stayed unique go through Rabin content-defined chunking. The blocks follow the container's guest
    /// blocks when the file is a recognised container format.</summary>
    Adaptive,

    /// <summary>Fixed 4 KiB blocks only, from the file's start, whatever the file is.</summary>
    Fixed,

    /// <summary>Rabin-Karp content-defined chunking only.</summary>
    Rabin,

    /// <summary>Fixed blocks on the container's grid (guest data at guest-block alignment), without the Rabin residue;
    /// a file in no known container format gets plain fixed blocks.</summary>
    Guest,
}
