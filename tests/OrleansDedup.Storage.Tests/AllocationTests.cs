using OrleansDedup.Chunking;
using OrleansDedup.Storage.Journal;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Storage.Tests;

/// <summary>The per-chunk and per-record paths must not allocate: ingest runs them millions of times.</summary>
public sealed class AllocationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static long AllocatedBy(Action action)
    {
        action(); // warm up: JIT, first handle open, pool rental
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Pack_append_and_read_do_not_allocate()
    {
        var chunk = new byte[8192];
        Random.Shared.NextBytes(chunk);
        var fingerprint = Fingerprint.Compute(chunk);
        var destination = new byte[chunk.Length];
        using var store = new ChunkStore(_dir.Path);
        using var writer = store.CreateWriter();
        var first = writer.Append(fingerprint, chunk);
        writer.Flush();
        var location = writer.LocationOf(first);
        void Append300()
        {
            for (var i = 0; i < 300; i++)
            {
                writer.Append(fingerprint, chunk);
            }
        }

        // The first rounds grow the writer's frames and chunk list and fill the array pool; later rounds reuse them.
        // 300 x 8 KiB fill 19 frames of 128 KiB, which cross the 1 MiB file buffer when flushed.
        for (var warmUp = 0; warmUp < 2; warmUp++)
        {
            Append300();
            writer.Flush();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        Append300();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var last = writer.Append(fingerprint, chunk);
        writer.Flush();
        var other = writer.LocationOf(last);
        using var reader = new PackReader(store, frames: 1);
        reader.Read(location, destination);
        reader.Read(other, destination);

        // One cached frame and two frames read in turn: every read decodes a frame.
        Assert.Equal(0, AllocatedBy(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                reader.Read(i % 2 == 0 ? location : other, destination);
            }
        }));
    }

    [Fact]
    public void Journal_append_does_not_allocate()
    {
        var record = new byte[40];
        using var journal = new RecordJournal(_dir.Path, "shard");
        journal.Load(_ => { });
        Assert.Equal(0, AllocatedBy(() =>
        {
            for (var i = 0; i < 30_000; i++)
            {
                journal.Append(record);
            }
        }));
    }
}
