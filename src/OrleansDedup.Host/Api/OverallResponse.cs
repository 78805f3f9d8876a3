namespace OrleansDedup.Host.Api;

public sealed record OverallResponse(
    int ImageCount, long OriginalBytes, long PackBytes, long LiveChunkBytes, long IndexBytes, long RecipeBytes, long StoredBytes,
    double DedupRate, long ZeroChunks, long DuplicateChunks, long NewChunks);
