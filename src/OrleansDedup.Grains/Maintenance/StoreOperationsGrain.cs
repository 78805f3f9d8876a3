using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Grains.Operations;

namespace OrleansDedup.Grains.Maintenance;

/// <summary>Runs where the caller is when it can (every silo sees the store). Not a stateless worker: a streamed restore
/// must reach the same activation for each page, so a restore uses a key of its own.</summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed class StoreOperationsGrain(ImageRestorer restorer, StoreVerifier verifier, StoreStatistics statistics) : Grain, IStoreOperationsGrain
{
    public async IAsyncEnumerable<RestoreChunk> Restore(string image)
    {
        await foreach (var piece in restorer.Read(image))
        {
            for (var at = 0; at < piece.Data.Length; at += RestoreChunk.MaxBytes)
                yield return new RestoreChunk(piece.Offset + at, piece.Data.Slice(at, Math.Min(RestoreChunk.MaxBytes, piece.Data.Length - at)).ToArray());
        }
    }

    public Task<VerifyReport> Verify() => verifier.Verify();

    public Task<StoreReport> Statistics() => statistics.Collect();
}
