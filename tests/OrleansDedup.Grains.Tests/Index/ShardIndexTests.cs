using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Index;

/// <summary>A shard's journal grows with its unique entries only, and a sweep's removals survive a reload.</summary>
public sealed class ShardIndexTests : IDisposable
{
    private readonly TempDirectory _temp = new("odshard");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Meeting_known_chunks_again_writes_nothing_to_the_journal()
    {
        var entries = Enumerable.Range(0, 1000).Select(Entry).ToArray();
        using var index = new ShardIndex(_temp.Path, 0);
        index.Insert(new InsertBatch(entries));
        index.Flush();
        var once = index.MetadataBytes;

        for (var again = 0; again < 5; again++)
        {
            Assert.All(index.Insert(new InsertBatch(entries)), Assert.True);
            index.Flush();
        }

        Assert.Equal(once, index.MetadataBytes);
    }

    [Fact]
    public void A_sweep_removes_exactly_the_dead_entries_and_a_reload_keeps_it_so()
    {
        var entries = Enumerable.Range(0, 100).Select(Entry).ToArray();
        var dead = entries.Where((_, i) => i % 3 == 0).Select(e => e.Fingerprint).ToArray();
        using (var index = new ShardIndex(_temp.Path, 0))
        {
            index.Insert(new InsertBatch(entries));
            Assert.Equal(dead.Length, index.Sweep([.. dead, Fingerprint.Compute("never indexed"u8)]));
            index.Flush();
        }

        using var reloaded = new ShardIndex(_temp.Path, 0);
        var found = reloaded.Resolve(entries.Select(e => e.Fingerprint).ToArray());
        Assert.Equal(entries.Length - dead.Length, reloaded.Count);
        Assert.All(found, f => Assert.Equal(!dead.Contains(f.Fingerprint), f.Found));
        Assert.Equal((entries.Length - dead.Length) * 4096L, reloaded.ChunkBytes);
    }

    private static NewIndexEntry Entry(int i) =>
        new(Fingerprint.Compute(BitConverter.GetBytes(i)), new ChunkLocation(1, i * 8192L, 0, 4096), null);
}
