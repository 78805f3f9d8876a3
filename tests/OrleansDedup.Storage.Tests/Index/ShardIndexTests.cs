using OrleansDedup.Chunking;
using OrleansDedup.Storage.Index;

namespace OrleansDedup.Storage.Tests.Index;

/// <summary>A shard's journal grows with its unique entries only, and a sweep's removals survive a reload.</summary>
public sealed class ShardIndexTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Meeting_known_chunks_again_writes_nothing_to_the_journal()
    {
        var entries = Enumerable.Range(0, 1000).Select(Entry).ToArray();
        using var index = new ShardIndex(_temp.Path, 0);
        Insert(index, entries);
        index.Flush();
        var once = index.MetadataBytes;

        for (var again = 0; again < 5; again++)
        {
            Assert.All(Insert(index, entries), Assert.False);
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
            Insert(index, entries);
            Assert.Equal(dead.Length, index.Sweep([.. dead, Fingerprint.Compute("never indexed"u8)]));
            index.Flush();
        }

        using var reloaded = new ShardIndex(_temp.Path, 0);
        Assert.Equal(entries.Length - dead.Length, reloaded.Count);
        Assert.All(entries, e => Assert.Equal(!dead.Contains(e.Fingerprint), reloaded.TryGet(e.Fingerprint, out _)));
        Assert.Equal((entries.Length - dead.Length) * 4096L, reloaded.ChunkBytes);
    }

    [Fact]
    public void Aliases_and_relocated_chunks_come_back_from_the_journal_as_they_were_left()
    {
        var entries = Enumerable.Range(0, 10).Select(Entry).ToArray();
        var alias = Fingerprint.Compute("alias"u8);
        AliasPiece[] pieces = [new(entries[1].Fingerprint, 100, 3996), new(entries[2].Fingerprint, 0, 100)];
        var moved = new ChunkLocation(9, 0, 0, 4096);
        using (var index = new ShardIndex(_temp.Path, 0))
        {
            Insert(index, entries);
            Assert.True(index.TryAdd(alias, default, pieces));
            index.Relocate(entries[3].Fingerprint, entries[3].Location, moved);
            index.Relocate(entries[4].Fingerprint, new ChunkLocation(7, 0, 0, 4096), moved);
            index.Flush();
        }

        using var reloaded = new ShardIndex(_temp.Path, 0);
        Assert.True(reloaded.TryGet(alias, out var aliasEntry));
        Assert.Equal(pieces, aliasEntry.Pieces);
        Assert.Equal(4096, aliasEntry.Length);
        Assert.True(reloaded.TryGet(entries[3].Fingerprint, out var third));
        Assert.Equal(moved, third.Location);
        Assert.True(reloaded.TryGet(entries[4].Fingerprint, out var fourth));
        Assert.Equal(entries[4].Location, fourth.Location);
        Assert.Equal(new ShardCounts(10, 1, 10 * 4096L, reloaded.MetadataBytes), reloaded.Counts());
        Assert.Equal(4096L, reloaded.LiveBytesByPack[9]);
    }

    [Fact]
    public void A_summary_stands_for_the_journal_only_until_the_journal_changes()
    {
        ShardCounts counts;
        using (var index = new ShardIndex(_temp.Path, 3))
        {
            Insert(index, Enumerable.Range(0, 50).Select(Entry).ToArray());
            index.Flush();
            counts = index.Counts();
        }
        Assert.Equal(counts, ShardSummary.TryRead(_temp.Path, 3));

        using (var index = new ShardIndex(_temp.Path, 3))
        {
            index.Sweep([Entry(0).Fingerprint]);
            index.Flush();
            Assert.Null(ShardSummary.TryRead(_temp.Path, 3));
        }
        Assert.Equal(49, ShardSummary.TryRead(_temp.Path, 3)!.Value.Chunks);
    }

    [Fact]
    public void A_shard_only_read_leaves_its_summary_as_it_found_it()
    {
        using (var index = new ShardIndex(_temp.Path, 5))
            Insert(index, Enumerable.Range(0, 20).Select(Entry).ToArray());
        var summary = new FileInfo(Path.Combine(_temp.Path, ShardIndex.JournalName(5) + ".summary"));
        var written = summary.LastWriteTimeUtc;
        File.SetLastWriteTimeUtc(summary.FullName, written.AddHours(-1));

        using (var index = new ShardIndex(_temp.Path, 5))
            Assert.True(index.TryGet(Entry(7).Fingerprint, out _));
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(summary.FullName));

        using (var index = new ShardIndex(_temp.Path, 5))
            Insert(index, [Entry(20)]);
        Assert.Equal(21, ShardSummary.TryRead(_temp.Path, 5)!.Value.Chunks);
    }

    [Fact]
    public async Task Opening_a_shard_waits_for_the_holder_of_its_journal_to_let_go()
    {
        var held = new ShardIndex(_temp.Path, 6);
        Insert(held, Enumerable.Range(0, 10).Select(Entry).ToArray());
        var opening = ShardIndex.OpenAsync(_temp.Path, 6, TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        Assert.False(opening.IsCompleted);

        held.Dispose();
        using var index = await opening.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(10, index.Count);
    }

    [Fact]
    public async Task A_journal_held_past_the_wait_is_refused()
    {
        using var held = new ShardIndex(_temp.Path, 7);
        await Assert.ThrowsAsync<IOException>(() => ShardIndex.OpenAsync(_temp.Path, 7, TimeSpan.FromMilliseconds(300)));
    }

    /// <summary>Whether each entry was added (false: the shard held it already).</summary>
    private static bool[] Insert(ShardIndex index, (Fingerprint Fingerprint, ChunkLocation Location)[] entries) =>
        entries.Select(e => index.TryAdd(e.Fingerprint, e.Location, null)).ToArray();

    private static (Fingerprint Fingerprint, ChunkLocation Location) Entry(int i) =>
        (Fingerprint.Compute(BitConverter.GetBytes(i)), new ChunkLocation(1, i * 8192L, 0, 4096));
}
