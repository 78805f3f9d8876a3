using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Serialization;

/// <summary>Lets Orleans carry <see cref="ChunkLocation"/>, which lives in the Orleans-free storage library.</summary>
[GenerateSerializer, Immutable]
public struct ChunkLocationSurrogate
{
    [Id(0)] public int Pack;
    [Id(1)] public long Frame;
    [Id(2)] public int Offset;
    [Id(3)] public int Length;
}

[RegisterConverter]
public sealed class ChunkLocationConverter : IConverter<ChunkLocation, ChunkLocationSurrogate>
{
    public ChunkLocation ConvertFromSurrogate(in ChunkLocationSurrogate surrogate) =>
        new(surrogate.Pack, surrogate.Frame, surrogate.Offset, surrogate.Length);

    public ChunkLocationSurrogate ConvertToSurrogate(in ChunkLocation value) =>
        new() { Pack = value.Pack, Frame = value.Frame, Offset = value.Offset, Length = value.Length };
}
