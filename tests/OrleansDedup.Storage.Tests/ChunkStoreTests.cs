using OrleansDedup.Chunking;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Storage.Tests;

public sealed class ChunkStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static byte[] RandomChunk(Random random, int length)
    {
        var data = new byte[length];
        random.NextBytes(data);
        return data;
    }

    [Fact]
    public void Appended_chunks_read_back_byte_exact_from_a_reopened_store()
    {
        var random = new Random(42);
        // Zero-length, small, and one larger than the writer's buffer (the direct-write path).
        var chunks = Enumerable.Range(0, 400).Select(i => RandomChunk(random, i == 0 ? 0 : random.Next(1, 64 * 1024)))
            .Append(RandomChunk(random, 3 * 1024 * 1024 + 17))
            .Append(RandomChunk(random, 100))
            .ToList();
        long packLength = 0;
        List<ChunkLocation> locations;
        using (var store = new ChunkStore(_dir.Path))
        {
            locations = PackWrites.Write(store, chunks, writer => packLength = writer.Length).Select(r => r.Location).ToList();
        }

        using var reopened = new ChunkStore(_dir.Path);
        Assert.Equal(packLength, Assert.Single(reopened.ListPacks()).Length);
        Assert.Equal(packLength, reopened.TotalBytes());
        for (var i = 0; i < chunks.Count; i++)
        {
            var buffer = new byte[chunks[i].Length];
            reopened.Read(locations[i], buffer);
            Assert.Equal(chunks[i], buffer);
        }
    }

    [Fact]
    public void Pack_length_accounts_for_magic_frame_head_and_chunk_table()
    {
        using var store = new ChunkStore(_dir.Path);
        using var writer = store.CreateWriter();
        var first = writer.Append(Fingerprint.Compute([1, 2, 3]), [1, 2, 3]);
        var second = writer.Append(Fingerprint.Compute([4, 5]), [4, 5]);
        Assert.Equal(8, writer.Length);
        Assert.Throws<InvalidOperationException>(() => writer.LocationOf(first));
        writer.Flush();
        Assert.Equal(new ChunkLocation(writer.PackId, 8, 0, 3), writer.LocationOf(first));
        Assert.Equal(new ChunkLocation(writer.PackId, 8, 3, 2), writer.LocationOf(second));
        // Five bytes do not pay for compression: stored as they are, after a 16-byte head and 36 bytes per chunk.
        Assert.Equal(8 + 16 + 2 * 36 + 5, writer.Length);
        Assert.Equal(writer.Length - 8, writer.StoredBytes);
    }

    [Fact]
    public void Writers_of_two_stores_on_one_directory_get_distinct_ids()
    {
        using var first = new ChunkStore(_dir.Path);
        using var second = new ChunkStore(_dir.Path);
        var writers = new List<PackWriter>();
        for (var i = 0; i < 10; i++)
        {
            writers.Add(first.CreateWriter());
            writers.Add(second.CreateWriter());
        }

        Assert.Equal(writers.Count, writers.Select(w => w.PackId).Distinct().Count());
        foreach (var writer in writers)
        {
            writer.Append(Fingerprint.Compute([7]), [7]);
            writer.Dispose();
        }

        Assert.Equal(writers.Select(w => w.PackId).Order(), first.ListPacks().Select(p => p.Id));
    }

    [Fact]
    public void Ids_keep_growing_after_reopen()
    {
        int firstId;
        using (var store = new ChunkStore(_dir.Path))
        using (var writer = store.CreateWriter())
        {
            firstId = writer.PackId;
            writer.Append(Fingerprint.Compute([1]), [1]);
        }

        using var reopened = new ChunkStore(_dir.Path);
        using var next = reopened.CreateWriter();
        Assert.True(next.PackId > firstId);
    }

    [Fact]
    public void A_writer_that_appended_nothing_leaves_no_file()
    {
        using var store = new ChunkStore(_dir.Path);
        var writer = store.CreateWriter();
        Assert.True(File.Exists(store.PackPath(writer.PackId)));
        Assert.True(store.IsOpenForWriting(writer.PackId));
        writer.Dispose();
        Assert.False(File.Exists(store.PackPath(writer.PackId)));
        Assert.False(store.IsOpenForWriting(writer.PackId));
        Assert.Empty(store.ListPacks());
    }

    [Fact]
    public void Reading_a_bad_location_throws_InvalidDataException()
    {
        using var store = new ChunkStore(_dir.Path);
        var location = PackWrites.WriteOne(store, [1, 2, 3, 4]);

        var buffer = new byte[1024];
        Assert.Throws<InvalidDataException>(() => store.Read(location with { Pack = location.Pack + 99 }, buffer));
        Assert.Throws<InvalidDataException>(() => store.Read(location with { Length = 100 }, buffer));
        Assert.Throws<InvalidDataException>(() => store.Read(location with { Offset = 1_000_000 }, buffer));
        Assert.Throws<InvalidDataException>(() => store.Read(location with { Frame = 0 }, buffer));
        Assert.Throws<InvalidDataException>(() => store.Read(location with { Frame = 1_000_000 }, buffer));
        Assert.Throws<InvalidDataException>(() => store.Read(location with { Frame = 9 }, buffer));
        Assert.Throws<ArgumentException>(() => store.Read(location, new byte[2]));
    }

    [Fact]
    public void DeletePack_removes_the_file_and_refuses_an_open_pack()
    {
        using var store = new ChunkStore(_dir.Path);
        var location = PackWrites.WriteOne(store, [9]);

        store.Read(location, new byte[1]); // caches a read handle that delete must close
        store.DeletePack(location.Pack);
        Assert.False(File.Exists(store.PackPath(location.Pack)));
        Assert.Empty(store.ListPacks());
        Assert.Throws<InvalidDataException>(() => store.Read(location, new byte[1]));

        using var open = store.CreateWriter();
        Assert.Throws<InvalidOperationException>(() => store.DeletePack(open.PackId));
    }

    [Fact]
    public void Concurrent_readers_see_the_same_bytes()
    {
        var random = new Random(7);
        var chunks = Enumerable.Range(0, 64).Select(_ => RandomChunk(random, 4096)).ToArray();
        using var store = new ChunkStore(_dir.Path);
        var locations = PackWrites.Write(store, chunks).Select(r => r.Location).ToArray();

        Parallel.For(0, 2000, i =>
        {
            var buffer = new byte[4096];
            store.Read(locations[i % chunks.Length], buffer);
            Assert.Equal(chunks[i % chunks.Length], buffer);
        });
    }
}
