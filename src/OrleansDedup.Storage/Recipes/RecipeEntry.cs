using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Recipes;

/// <summary>One piece of a segment in order: a run of zeros, or a chunk (or alias) by fingerprint.</summary>
public readonly record struct RecipeEntry(bool IsZero, int Length, Fingerprint Fingerprint)
{
    public static RecipeEntry Zero(int length) => new(true, length, default);

    public static RecipeEntry Data(int length, in Fingerprint fingerprint) => new(false, length, fingerprint);
}
