namespace OrleansDedup.Migration.Grains.Contracts;

/// <summary>Bytes that really moved for one class (disk or memory snapshot), and what did not have to.</summary>
/// <param name="ChunkBytes">Chunk payload written into the destination's cache.</param>
/// <param name="Chunks">Chunks written into the destination's cache.</param>
/// <param name="MetadataBytes">Recipes plus the fingerprints of the set-difference queries.</param>
/// <param name="ZeroBytes">Zero runs: sent as recipe markers only.</param>
/// <param name="DedupBytes">Repeats within this migration: sent once.</param>
/// <param name="PresentBytes">Chunks the destination held already.</param>
/// <param name="WireChunkBytes">What the moved chunks cost on the wire: <paramref name="ChunkBytes"/> compressed.</param>
[GenerateSerializer, Immutable]
public sealed record DataMovement(
    [property: Id(0)] long LogicalBytes,
    [property: Id(1)] long ChunkBytes,
    [property: Id(2)] long Chunks,
    [property: Id(3)] long MetadataBytes,
    [property: Id(4)] long ZeroBytes,
    [property: Id(5)] long DedupBytes,
    [property: Id(6)] long PresentBytes,
    [property: Id(7)] int Batches,
    [property: Id(8)] long WireChunkBytes = 0)
{
    public static DataMovement Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static DataMovement operator +(DataMovement a, DataMovement b) => new(a.LogicalBytes + b.LogicalBytes, a.ChunkBytes + b.ChunkBytes,
        a.Chunks + b.Chunks, a.MetadataBytes + b.MetadataBytes, a.ZeroBytes + b.ZeroBytes, a.DedupBytes + b.DedupBytes,
        a.PresentBytes + b.PresentBytes, a.Batches + b.Batches, a.WireChunkBytes + b.WireChunkBytes);
}
