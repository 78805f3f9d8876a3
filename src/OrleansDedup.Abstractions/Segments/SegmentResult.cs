using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Abstractions.Segments;

[GenerateSerializer, Immutable]
public sealed record SegmentResult([property: Id(0)] int Index, [property: Id(1)] DedupStats Stats, [property: Id(2)] byte[] Digest, [property: Id(3)] string Silo);
