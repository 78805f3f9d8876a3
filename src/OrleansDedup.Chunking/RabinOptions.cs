using System.Numerics;

namespace OrleansDedup.Chunking;

/// <summary>Parameters of Rabin content-defined chunking. Defaults give 2 KiB..64 KiB chunks averaging about 10 KiB.</summary>
public sealed record RabinOptions
{
    /// <summary>Degree of every accepted polynomial; the chunker's tables reduce the top byte of a 53-bit digest.</summary>
    public const int PolynomialDegree = 53;

    /// <summary>restic's default polynomial, irreducible over GF(2).</summary>
    public const ulong DefaultPolynomial = 0x3DA3358B4DC173;

    /// <summary>No cut is made before a chunk has this many bytes.</summary>
    public int MinSize { get; init; } = 2048;

    /// <summary>A power of two; past <see cref="MinSize"/> a cut happens with probability 1/AverageSize per byte.</summary>
    public int AverageSize { get; init; } = 8192;

    /// <summary>A chunk is cut at this size whatever its content.</summary>
    public int MaxSize { get; init; } = 65536;

    /// <summary>Bytes in the rolling window, 16..4096.</summary>
    public int WindowSize { get; init; } = 48;

    /// <summary>An irreducible polynomial over GF(2) of degree <see cref="PolynomialDegree"/>.</summary>
    public ulong Polynomial { get; init; } = DefaultPolynomial;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent parameter.</summary>
    public void Validate()
    {
        if (WindowSize is < 16 or > 4096)
        {
            throw new ArgumentException($"WindowSize must be between 16 and 4096 bytes, but is {WindowSize}.");
        }

        if (MinSize < WindowSize)
        {
            throw new ArgumentException(
                $"MinSize ({MinSize}) must be at least WindowSize ({WindowSize}) so the window is full at the first possible cut.");
        }

        if (!BitOperations.IsPow2(AverageSize))
        {
            throw new ArgumentException($"AverageSize must be a power of two, but is {AverageSize}.");
        }

        if (MinSize > AverageSize)
        {
            throw new ArgumentException($"MinSize ({MinSize}) must not exceed AverageSize ({AverageSize}).");
        }

        if (AverageSize > MaxSize)
        {
            throw new ArgumentException($"AverageSize ({AverageSize}) must not exceed MaxSize ({MaxSize}).");
        }

        if (Gf2Polynomial.Degree(Polynomial) != PolynomialDegree || !Gf2Polynomial.IsIrreducible(Polynomial))
        {
            throw new ArgumentException(
                $"Polynomial 0x{Polynomial:X} must be irreducible over GF(2) and of degree {PolynomialDegree}.");
        }
    }
}
