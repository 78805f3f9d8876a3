using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;

namespace OrleansDedup.Abstractions.Maintenance;

/// <summary>The whole store: what its images hold, what it costs on disk, and how the index is spread.</summary>
[GenerateSerializer, Immutable]
public sealed record StoreReport(
    [property: Id(0)] ImageInfo[] Images,
    [property: Id(1)] long OriginalBytes,
    [property: Id(2)] long PackBytes,
    [property: Id(3)] long LiveChunkBytes,
    [property: Id(4)] long IndexBytes,
    [property: Id(5)] long RecipeBytes,
    [property: Id(6)] ShardStats[] Shards,
    [property: Id(7)] long PackRawBytes = 0,
    [property: Id(8)] string Compression = "")
{
    /// <summary>Chunk bytes on disk plus the metadata that the index and recipes cost.</summary>
    public long StoredBytes => PackBytes + IndexBytes + RecipeBytes;

    /// <summary>Index and recipes: what the store spends on describing its chunks and images.</summary>
    public long MetadataBytes => IndexBytes + RecipeBytes;

    /// <summary>Raw bytes the packs hold over the packs' size on disk (1 for an empty store).</summary>
    public double CompressionRatio => PackBytes == 0 ? 1 : (double)PackRawBytes / PackBytes;

    public double DedupRate => DedupMath.Rate(OriginalBytes, StoredBytes);
}
