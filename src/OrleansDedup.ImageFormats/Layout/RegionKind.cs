namespace OrleansDedup.ImageFormats.Layout;

/// <summary>What a byte range of a container file holds.</summary>
public enum RegionKind
{
    /// <summary>Headers, tables, bitmaps, markers, padding and unreferenced space: no guest bytes.</summary>
    Metadata,

    /// <summary>Guest disk bytes, stored as they are, at the region's guest offset.</summary>
    GuestData,

    /// <summary>A compressed grain or cluster whose inflated bytes start at the region's guest offset.</summary>
    CompressedGuestData,
}
