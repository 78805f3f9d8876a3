namespace OrleansDedup.Abstractions.Segments;

/// <summary>How one segment is cut: the adaptive strategy picks per image size.</summary>
public enum SegmentMode { Fixed, Rabin, FixedThenRabin }
