using System.Runtime.InteropServices;
using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Serialization;

/// <summary>Lets Orleans carry <see cref="Fingerprint"/>, which lives in the Orleans-free chunking library.</summary>
[GenerateSerializer, Immutable]
public struct FingerprintSurrogate
{
    [Id(0)] public ulong A;
    [Id(1)] public ulong B;
    [Id(2)] public ulong C;
    [Id(3)] public ulong D;
}

[RegisterConverter]
public sealed class FingerprintConverter : IConverter<Fingerprint, FingerprintSurrogate>
{
    public Fingerprint ConvertFromSurrogate(in FingerprintSurrogate surrogate) =>
        MemoryMarshal.Cast<FingerprintSurrogate, Fingerprint>(new ReadOnlySpan<FingerprintSurrogate>(in surrogate))[0];

    public FingerprintSurrogate ConvertToSurrogate(in Fingerprint value) =>
        MemoryMarshal.Cast<Fingerprint, FingerprintSurrogate>(new ReadOnlySpan<Fingerprint>(in value))[0];
}
