using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Images;

/// <summary>A committed image: where it came from, how it was cut, its digest and what it cost.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string SourcePath,
    [property: Id(2)] long Size,
    [property: Id(3)] ChunkingStrategy Strategy,
    [property: Id(4)] string Digest,
    [property: Id(5)] DateTimeOffset IngestedAt,
    [property: Id(6)] int Segments,
    [property: Id(7)] DedupStats Stats,
    [property: Id(8)] double Seconds,
    [property: Id(9)] ContainerInfo? Container = null)
{
    /// <summary>The deduplication rate as the published method reports it: (1 - stored / original) x 100 %.</summary>
    public double DedupRate => DedupMath.Rate(Size, Stats.StoredBytes);
}
