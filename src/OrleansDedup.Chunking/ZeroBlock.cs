namespace OrleansDedup.Chunking;

/// <summary>All-zero detection; zero data is recorded as a run length and never stored.</summary>
public static class ZeroBlock
{
    /// <remarks>IndexOfAnyExcept is vectorized (AVX2/AVX-512 where present).</remarks>
    public static bool IsZero(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;
}
