using OrleansDedup.Chunking;

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
    public void Pack_append_and_read_do_not_allocate_per_chunk()
    {
        var chunk = new byte[8192];
        Random.Shared.NextBytes(chunk);
        var fingerprint = Fingerprint.Compute(chunk);
        var destination = new byte[chunk.Length];
        using var store = new ChunkStore(_dir.Path);
        using var writer = store.CreateWriter();
        var location = writer.Append(fingerprint, chunk);
        writer.Flush();

        // 300 x 8 KiB crosses the 1 MiB buffer, so draining is measured too, and fills 18 frames of 128 KiB. ZstdSharp
        // allocates a few bytes per call (one probe per frame here): less than a chunk's worth of bookkeeping per frame.
        var appended = AllocatedBy(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                writer.Append(fingerprint, chunk);
            }
        });
        Assert.True(appended <= 18 * 32, $"{appended} bytes allocated by 300 appends");
        var other = writer.Append(fingerprint, chunk);
        writer.Flush();
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
