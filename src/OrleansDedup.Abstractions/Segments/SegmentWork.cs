using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Segments;

/// <summary>One segment's work. <see cref="Grid"/>: the container's regions that overlap the segment, clipped to it,
/// as the image grain read them; null cuts the segment as opaque bytes. <see cref="SourceRoot"/> and
/// <see cref="SourceIdentity"/>: how the source must be opened and which file it must be (see <see cref="IngestRequest"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentWork(
    [property: Id(0)] string ImageName,
    [property: Id(1)] string SourcePath,
    [property: Id(2)] long SourceLength,
    [property: Id(3)] int Index,
    [property: Id(4)] long Offset,
    [property: Id(5)] long Length,
    [property: Id(6)] SegmentMode Mode,
    [property: Id(7)] string RecipePath,
    [property: Id(8)] GridSpan[]? Grid = null,
    [property: Id(9)] Guid[]? Epochs = null,
    [property: Id(10)] string? SourceRoot = null,
    [property: Id(11)] FileIdentity? SourceIdentity = null);
