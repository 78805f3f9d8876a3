namespace OrleansDedup.Abstractions.Segments;

/// <summary>Deduplicates one segment of one ingest (key: "{ingest id}/{segment index}").</summary>
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>Reads the segment, cuts and fingerprints it, stores its new chunks and writes its recipe.
    /// On failure or cancellation it releases every reference it took and leaves no recipe behind.</summary>
    Task<SegmentResult> Process(SegmentWork work);

    /// <summary>Asks a running <see cref="Process"/> to stop. Process still returns only once it has given its
    /// references back, so the caller knows when nothing of the segment is left.</summary>
    [AlwaysInterleave]
    Task Cancel();
}
