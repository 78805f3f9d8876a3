using System.Collections.Concurrent;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Hosting;

/// <summary>
/// One <see cref="ChunkStore"/> per data directory per process: silos sharing a process (tests, or several silos
/// hosted together) must see each other's open writers, so that the collector leaves their packs alone, and must
/// draw pack ids from one sequence, so that no cached read handle outlives the pack it was opened on.
/// </summary>
public static class SharedChunkStores
{
    private static readonly ConcurrentDictionary<string, ChunkStore> Stores = new();

    /// <summary>The store's settings are those of its manifest, the same for every silo on the directory. The caller is a
    /// user of the store (a silo's container disposes it with the silo); the registry keeps a use of its own, so the
    /// store stays open for the process however silos come and go.</summary>
    public static ChunkStore For(string directory, PackSettings settings) =>
        Stores.GetOrAdd(Path.GetFullPath(directory), d => new ChunkStore(d, settings)).AddUser();
}
