namespace OrleansDedup.Chunking;

/// <summary>
/// The inner loops of the rolling digest: d' = d·x^8 + in + out[leaving] mod P, with the reduction of d·x^8 done by
/// one lookup of its top byte. Each step's latency (shift, load, xor) bounds a single stream to roughly 6 cycles a
/// byte, so <see cref="Roll4"/> runs four independent stretches of the input in lockstep to fill the pipeline.
/// </summary>
internal static unsafe class RabinKernel
{
    /// <summary>Streams interleaved by <see cref="Absorb4"/> and <see cref="Roll4"/>.</summary>
    public const int Lanes = 4;

    private const int TopShift = RabinOptions.PolynomialDegree - 8;

    /// <summary>Shifts bytes into a window that is not full yet: nothing leaves.</summary>
    public static ulong Absorb(ulong digest, byte* input, nint count, ulong* tables)
    {
        ulong* mod = tables + RabinTables.ModOffset;
        for (nint i = 0; i < count; i++)
        {
            digest = (digest << 8) ^ input[i] ^ mod[digest >> TopShift];
        }

        return digest;
    }

    /// <summary>Four <see cref="Absorb"/> runs from 0 over input + k·stride (k = 0..3), interleaved.</summary>
    public static void Absorb4(ulong* digests, byte* input, nint stride, nint count, ulong* tables)
    {
        ulong* mod = tables + RabinTables.ModOffset;
        ulong d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        byte* b = input + 2 * stride;
        for (byte* end = input + count; input < end; input++, b++)
        {
            d0 = (d0 << 8) ^ input[0] ^ mod[d0 >> TopShift];
            d1 = (d1 << 8) ^ input[stride] ^ mod[d1 >> TopShift];
            d2 = (d2 << 8) ^ b[0] ^ mod[d2 >> TopShift];
            d3 = (d3 << 8) ^ b[stride] ^ mod[d3 >> TopShift];
        }

        digests[0] = d0;
        digests[1] = d1;
        digests[2] = d2;
        digests[3] = d3;
    }

    /// <summary>
    /// Rolls over input[0..count) where the byte leaving at step i is leaving[i]; returns the first i whose digest
    /// matches <paramref name="mask"/> (digest left at that step) or -1 (digest left after the last step).
    /// </summary>
    public static nint Roll(ref ulong digest, byte* input, byte* leaving, nint count, ulong* tables, ulong mask)
    {
        ulong* mod = tables + RabinTables.ModOffset;
        ulong d = digest;
        for (nint i = 0; i < count; i++)
        {
            d = (d << 8) ^ input[i] ^ tables[leaving[i]] ^ mod[d >> TopShift];
            if ((~d & mask) == 0)
            {
                digest = d;
                return i;
            }
        }

        digest = d;
        return -1;
    }

    /// <summary>
    /// Four <see cref="Roll"/> runs over input + k·stride (k = 0..3), the leaving byte <paramref name="window"/> back.
    /// Stops at the first step where any lane matches and returns that step; digests[k] then hold the digest at that
    /// step of every lane up to the first matching one. Returns -1 after <paramref name="count"/> steps without a match.
    /// </summary>
    public static nint Roll4(
        ulong* digests, byte* input, nint stride, nint count, nint window, ulong* tables, ulong mask)
    {
        ulong* mod = tables + RabinTables.ModOffset;
        ulong d0 = digests[0], d1 = digests[1], d2 = digests[2], d3 = digests[3];
        // Two base pointers reach all four lanes with [base + register] addressing, keeping the loop in registers.
        byte* a = input;
        byte* b = input + 2 * stride;
        nint back = -window;
        nint strideBack = stride - window;
        byte* end = input + count;
        for (; a < end; a++, b++)
        {
            // A lane is tested as soon as it is updated: lanes after a matching one are not needed at that step.
            d0 = (d0 << 8) ^ a[0] ^ tables[a[back]] ^ mod[d0 >> TopShift];
            if ((~d0 & mask) == 0)
            {
                break;
            }

            d1 = (d1 << 8) ^ a[stride] ^ tables[a[strideBack]] ^ mod[d1 >> TopShift];
            if ((~d1 & mask) == 0)
            {
                break;
            }

            d2 = (d2 << 8) ^ b[0] ^ tables[b[back]] ^ mod[d2 >> TopShift];
            if ((~d2 & mask) == 0)
            {
                break;
            }

            d3 = (d3 << 8) ^ b[stride] ^ tables[b[strideBack]] ^ mod[d3 >> TopShift];
            if ((~d3 & mask) == 0)
            {
                break;
            }
        }

        digests[0] = d0;
        digests[1] = d1;
        digests[2] = d2;
        digests[3] = d3;
        return a < end ? (nint)(a - input) : -1;
    }
}
