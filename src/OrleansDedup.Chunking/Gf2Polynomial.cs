using System.Numerics;

namespace OrleansDedup.Chunking;

/// <summary>Polynomials over GF(2) packed into a ulong, bit i being the coefficient of x^i.</summary>
/// <remarks>Deliberately bit-by-bit: used to build tables, to validate options and as the from-scratch reference
/// the rolling digest is tested against, so it must not share code with the table-driven kernel.</remarks>
internal static class Gf2Polynomial
{
    /// <summary>The degree of <paramref name="p"/>; -1 for the zero polynomial.</summary>
    public static int Degree(ulong p) => 63 - BitOperations.LeadingZeroCount(p);

    /// <summary><paramref name="a"/> mod <paramref name="p"/>.</summary>
    public static ulong Mod(ulong a, ulong p)
    {
        int degree = Degree(p);
        for (int d = Degree(a); d >= degree; d = Degree(a))
        {
            a ^= p << (d - degree);
        }

        return a;
    }

    /// <summary>a·b mod p, for a and b already reduced and deg p at most 62.</summary>
    public static ulong MulMod(ulong a, ulong b, ulong p)
    {
        int degree = Degree(p);
        ulong product = 0;
        for (int bit = Degree(b); bit >= 0; bit--)
        {
            product <<= 1;
            if ((product >> degree & 1) != 0)
            {
                product ^= p;
            }

            if ((b >> bit & 1) != 0)
            {
                product ^= a;
            }
        }

        return product;
    }

    /// <summary>The bytes read as one polynomial (first byte most significant) mod p: the Rabin fingerprint.</summary>
    public static ulong Residue(ReadOnlySpan<byte> bytes, ulong p)
    {
        ulong residue = 0;
        foreach (byte b in bytes)
        {
            residue = Mod(residue << 8 | b, p);
        }

        return residue;
    }

    /// <summary>Ben-Or's test: p of degree n is irreducible iff gcd(p, x^(2^i) - x) = 1 for every i &lt;= n/2.</summary>
    public static bool IsIrreducible(ulong p)
    {
        int degree = Degree(p);
        if (degree < 1 || degree > 62)
        {
            return false;
        }

        const ulong x = 2;
        ulong power = x;
        for (int i = 1; i <= degree / 2; i++)
        {
            power = MulMod(power, power, p);
            if (Gcd(p, power ^ x) != 1)
            {
                return false;
            }
        }

        return true;
    }

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0)
        {
            (a, b) = (b, Mod(a, b));
        }

        return a;
    }
}
