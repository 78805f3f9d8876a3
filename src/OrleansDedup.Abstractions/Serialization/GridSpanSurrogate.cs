using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Serialization;

/// <summary>Lets Orleans carry <see cref="GridSpan"/>, which lives in the Orleans-free chunking library.</summary>
[GenerateSerializer, Immutable]
public struct GridSpanSurrogate
{
    [Id(0)] public long Start;
    [Id(1)] public long Length;
    [Id(2)] public long Phase;
    [Id(3)] public bool Metadata;
}

[RegisterConverter]
public sealed class GridSpanConverter : IConverter<GridSpan, GridSpanSurrogate>
{
    public GridSpan ConvertFromSurrogate(in GridSpanSurrogate surrogate) => new(surrogate.Start, surrogate.Length, surrogate.Phase, surrogate.Metadata);

    public GridSpanSurrogate ConvertToSurrogate(in GridSpan value) => new() { Start = value.Start, Length = value.Length, Phase = value.Phase, Metadata = value.Metadata };
}
