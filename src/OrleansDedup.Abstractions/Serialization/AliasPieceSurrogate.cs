using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Serialization;

/// <summary>Lets Orleans carry <see cref="AliasPiece"/>, which lives in the Orleans-free chunking library.</summary>
[GenerateSerializer, Immutable]
public struct AliasPieceSurrogate
{
    [Id(0)] public Fingerprint Chunk;
    [Id(1)] public int Offset;
    [Id(2)] public int Length;
}

[RegisterConverter]
public sealed class AliasPieceConverter : IConverter<AliasPiece, AliasPieceSurrogate>
{
    public AliasPiece ConvertFromSurrogate(in AliasPieceSurrogate surrogate) => new(surrogate.Chunk, surrogate.Offset, surrogate.Length);

    public AliasPieceSurrogate ConvertToSurrogate(in AliasPiece value) =>
        new() { Chunk = value.Chunk, Offset = value.Offset, Length = value.Length };
}
