using System.Buffers.Binary;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Storage.Tests.Packs;

public sealed class PackRawSizesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static long Walked(ChunkStore store) =>
        store.ListPacks().Sum(p => PackScanner.Frames(store.PackPath(p.Id)).Sum(f => (long)f.RawLength));

    private static void WritePack(ChunkStore store, int seed)
    {
        var random = new Random(seed);
        // Half random, half runs of one byte: raw and stored sizes differ once compressed.
        PackWrites.Write(store, Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? ChunkStoreTests.RandomChunk(random, random.Next(1, 20_000))
            : Enumerable.Repeat((byte)i, random.Next(1, 20_000)).ToArray()).ToList());
    }

    [Fact]
    public void Total_is_the_raw_bytes_of_every_complete_frame_and_follows_new_packs()
    {
        using var store = new ChunkStore(_dir.Path);
        WritePack(store, 1);
        Assert.Equal(Walked(store), PackRawSizes.Total(store, store.ListPacks()));
        WritePack(store, 2);
        Assert.Equal(2, store.ListPacks().Count);
        Assert.Equal(Walked(store), PackRawSizes.Total(store, store.ListPacks()));
    }

    [Fact]
    public void A_cached_total_counts_only_while_its_pack_keeps_its_length_and_time()
    {
        using var store = new ChunkStore(_dir.Path);
        WritePack(store, 3);
        var truth = PackRawSizes.Total(store, store.ListPacks());
        var cache = Path.Combine(store.PackDirectory, "raw-sizes");
        var bytes = File.ReadAllBytes(cache);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(20), 12345);
        File.WriteAllBytes(cache, bytes);

        // The pack is as the entry says, so the (tampered) entry is what counts: the pack was not walked again.
        Assert.Equal(12345, PackRawSizes.Total(store, store.ListPacks()));

        var pack = store.PackPath(store.ListPacks()[0].Id);
        File.SetLastWriteTimeUtc(pack, File.GetLastWriteTimeUtc(pack).AddSeconds(1));
        Assert.Equal(truth, PackRawSizes.Total(store, store.ListPacks()));
    }

    [Fact]
    public void A_damaged_cache_is_ignored_and_rewritten()
    {
        using var store = new ChunkStore(_dir.Path);
        WritePack(store, 4);
        var cache = Path.Combine(store.PackDirectory, "raw-sizes");
        File.WriteAllBytes(cache, [1, 2, 3]);
        Assert.Equal(Walked(store), PackRawSizes.Total(store, store.ListPacks()));
        Assert.Equal(28, new FileInfo(cache).Length);
    }
}
