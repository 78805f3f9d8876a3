using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OrleansDedup.Chunking;

/// <summary>The SHA-256 digest of a chunk: 32 bytes held as four words so that equality and hashing are cheap.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Fingerprint : IEquatable<Fingerprint>, IComparable<Fingerprint>
{
    public const int Size = 32;

    /// <summary>What stores record as their fingerprint: BLAKE3 was slower than SHA-NI SHA-256 on 4 KiB blocks here.</summary>
    public const string Algorithm = "sha256";

    private readonly ulong _a, _b, _c, _d;

    public static Fingerprint Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        Sha256Digest.Compute(data, digest);
        return Read(digest);
    }

    public static Fingerprint Read(ReadOnlySpan<byte> bytes) => MemoryMarshal.Read<Fingerprint>(bytes);

    public void WriteTo(Span<byte> destination) => MemoryMarshal.Write(destination, in this);

    /// <summary>Shards by the digest's leading bytes, which are uniformly distributed.</summary>
    public int Shard(int shardCount) => (int)(BinaryPrimitives.ReverseEndianness(_a) % (ulong)shardCount);

    public bool Equals(Fingerprint other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Fingerprint other && Equals(other);

    public override int GetHashCode() => (int)(_b ^ (_b >> 32));

    public int CompareTo(Fingerprint other) => MemoryMarshal.AsBytes(new ReadOnlySpan<Fingerprint>(in this))
        .SequenceCompareTo(MemoryMarshal.AsBytes(new ReadOnlySpan<Fingerprint>(in other)));

    public static bool operator ==(Fingerprint left, Fingerprint right) => left.Equals(right);

    public static bool operator !=(Fingerprint left, Fingerprint right) => !left.Equals(right);

    public override string ToString() => Convert.ToHexStringLower(MemoryMarshal.AsBytes(new ReadOnlySpan<Fingerprint>(in this)));

    public static Fingerprint Parse(string hex) => Read(Convert.FromHexString(hex));
}
