namespace OrleansDedup.Abstractions.Images;

public static class DedupMath
{
    public static double Rate(long original, long stored) => original == 0 ? 0 : (1.0 - (double)stored / original) * 100.0;
}
