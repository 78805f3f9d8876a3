namespace OrleansDedup.Abstractions.Maintenance;

/// <summary>Work that reads the chunk store, run on whichever silo the caller reaches (every silo sees the store), so
/// that a client without the store's volume can still restore, verify and see statistics. Give each restore a key of
/// its own: its pages must all reach one activation.</summary>
public interface IStoreOperationsGrain : IGrainWithIntegerKey
{
    /// <summary>The image's data, in pieces of a few MiB, each checked against its fingerprints. The sequence fails at
    /// its end if the recipes do not match the image digest: only a complete sequence is a good restore.</summary>
    IAsyncEnumerable<RestoreChunk> Restore(string image);

    Task<VerifyReport> Verify();

    Task<StoreReport> Statistics();
}
