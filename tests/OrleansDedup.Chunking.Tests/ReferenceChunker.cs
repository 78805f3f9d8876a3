namespace OrleansDedup.Chunking.Tests;

/// <summary>
/// The chunking rule computed the slow, obvious way with bitwise polynomial arithmetic and no lookup tables:
/// the digest at p is the residue of the window ending at p, whatever happened before.
/// </summary>
internal static class ReferenceChunker
{
    public static ulong[] WindowDigests(byte[] data, RabinOptions options)
    {
        ulong p = options.Polynomial;
        byte[] unit = new byte[options.WindowSize + 1];
        unit[0] = 1;
        ulong leaving = Gf2Polynomial.Residue(unit, p);
        var digests = new ulong[data.Length];
        ulong digest = 0;
        for (int i = 0; i < data.Length; i++)
        {
            digest = Gf2Polynomial.Mod(digest << 8 | data[i], p);
            if (i >= options.WindowSize)
            {
                digest ^= Gf2Polynomial.MulMod(data[i - options.WindowSize], leaving, p);
            }

            digests[i] = digest;
        }

        return digests;
    }

    public static List<int> Cuts(byte[] data, RabinOptions options)
    {
        ulong[] digests = WindowDigests(data, options);
        ulong mask = (ulong)options.AverageSize - 1;
        var cuts = new List<int>();
        for (int start = 0; start < data.Length;)
        {
            int end = Math.Min(start + options.MaxSize, data.Length);
            int cut = end;
            for (int last = start + options.MinSize - 1; last < end; last++)
            {
                if ((digests[last] & mask) == mask)
                {
                    cut = last + 1;
                    break;
                }
            }

            cuts.Add(cut);
            start = cut;
        }

        return cuts;
    }
}
