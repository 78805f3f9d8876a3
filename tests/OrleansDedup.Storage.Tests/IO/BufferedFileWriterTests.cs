using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Tests.IO;

/// <summary>The writer skips an fsync only when nothing was written since the last one, and never takes for durable
/// what it has not fsynced itself.</summary>
public sealed class BufferedFileWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Only_what_was_fsynced_counts_as_durable()
    {
        using var handle = File.OpenHandle(Path.Combine(_dir.Path, "log"), FileMode.Create, FileAccess.ReadWrite);
        using var writer = new BufferedFileWriter(handle, 0, bufferSize: 16);

        Assert.Equal(-1, writer.DurableTo);
        writer.Write("0123456789"u8);
        writer.Drain();
        Assert.Equal(-1, writer.DurableTo);

        writer.FlushToDisk();
        Assert.Equal(10, writer.DurableTo);

        // A write larger than the buffer goes straight to the file: still not durable until the next fsync.
        writer.Write(new byte[40]);
        Assert.Equal(10, writer.DurableTo);
        writer.FlushToDisk();
        Assert.Equal(50, writer.DurableTo);
        writer.FlushToDisk();
        Assert.Equal(50, writer.DurableTo);
        Assert.Equal(50, RandomAccess.GetLength(handle));
    }

    [Fact]
    public void After_a_reset_the_next_flush_fsyncs_even_with_nothing_new()
    {
        using var handle = File.OpenHandle(Path.Combine(_dir.Path, "log"), FileMode.Create, FileAccess.ReadWrite);
        using var writer = new BufferedFileWriter(handle, 0);
        writer.Write("abc"u8);
        writer.FlushToDisk();

        RandomAccess.SetLength(handle, 0);
        writer.Reset(0);
        Assert.Equal(-1, writer.DurableTo);

        writer.FlushToDisk();
        Assert.Equal(0, writer.DurableTo);
    }
}
