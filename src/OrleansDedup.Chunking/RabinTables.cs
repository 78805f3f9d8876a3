namespace OrleansDedup.Chunking;

/// <summary>The two 256-entry lookup tables of the rolling Rabin digest, laid out as one array for the kernel.</summary>
internal static class RabinTables
{
    /// <summary>Index of the first "mod" entry; "out" entries come first.</summary>
    public const int ModOffset = 256;

    /// <summary>
    /// out[b] = b·x^(8·window) mod P: what a byte contributes once window more bytes were shifted in after it,
    /// so XOR-ing it removes the byte leaving the window.
    /// mod[t] = (t·x^53 mod P) | t·x^53: cancels the top byte after a shift by 8 and adds its residue.
    /// </summary>
    public static ulong[] Build(ulong polynomial, int windowSize)
    {
        var tables = new ulong[2 * 256];
        Span<byte> unit = stackalloc byte[windowSize + 1];
        unit.Clear();
        unit[0] = 1;
        ulong shiftOut = Gf2Polynomial.Residue(unit, polynomial);
        for (uint b = 0; b < 256; b++)
        {
            tables[b] = Gf2Polynomial.MulMod(b, shiftOut, polynomial);
            ulong top = (ulong)b << RabinOptions.PolynomialDegree;
            tables[ModOffset + b] = Gf2Polynomial.Mod(top, polynomial) | top;
        }

        return tables;
    }
}
