using Microsoft.Win32.SafeHandles;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Packs;

/// <summary>
/// Appends chunks to one new pack file. Neighbouring chunks gather in frames of up to the store's frame size; frames
/// are compressed together, over all cores, and written in order at <see cref="Flush"/> (or once 8 MiB of them wait).
/// Not thread-safe: one writer per ingest stream.
/// </summary>
/// <remarks>
/// A chunk's place in the file is known only once its frame is compressed, so <see cref="Append"/> returns the chunk's
/// number in this writer and <see cref="LocationOf"/> its location after the <see cref="Flush"/> that made it durable:
/// the index may point at a chunk only then, since before it the bytes may sit in memory or the page cache and vanish
/// in a crash.
/// </remarks>
public sealed class PackWriter : IDisposable
{
    /// <summary>Raw bytes of frames that may wait for a flush; past it they are compressed and written (not synced).</summary>
    private const int MaxPendingBytes = 8 << 20;

    private static readonly ParallelOptions AllCores = new() { TaskScheduler = TaskScheduler.Default };

    private readonly ChunkStore _store;
    private readonly SafeFileHandle _handle;
    private readonly BufferedFileWriter _writer;
    private readonly PackSettings _settings;
    private readonly List<PendingFrame> _pending = [];
    private readonly Stack<PendingFrame> _spare = new();
    private readonly List<ChunkLocation> _locations = [];
    private long _pendingBytes;
    private bool _flushed;
    private bool _directorySynced;
    private bool _disposed;

    internal PackWriter(ChunkStore store, int packId, SafeFileHandle handle, PackSettings settings)
    {
        _store = store;
        _handle = handle;
        _settings = settings;
        PackId = packId;
        _writer = new BufferedFileWriter(handle, 0);
        _writer.Write(PackFormat.Magic);
    }

    /// <summary>The id of the pack this writer fills, unique within the store's directory.</summary>
    public int PackId { get; }

    /// <summary>The pack's length up to its last written frame; frames still waiting are added when they are written.</summary>
    public long Length => _writer.Position;

    /// <summary>Raw bytes of the chunks appended so far.</summary>
    public long RawBytes { get; private set; }

    /// <summary>Bytes the chunks cost in the pack so far (frame heads, tables and stored data), once written.</summary>
    public long StoredBytes => _writer.Position - PackFormat.MagicSize;

    /// <summary>Appends one chunk; returns its number, whose location <see cref="LocationOf"/> gives after a flush. Numbers
    /// start again after each flush, so that a long writer keeps no list of all it wrote.</summary>
    public int Append(in Fingerprint fingerprint, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_flushed)
        {
            _locations.Clear();
            _flushed = false;
        }
        var frame = _pending.Count > 0 && _pending[^1].Fits(data.Length, _settings.FrameSize) ? _pending[^1] : StartFrame();
        var offset = frame.Add(fingerprint, data);
        _locations.Add(new ChunkLocation(PackId, -1, offset, data.Length));
        _pendingBytes += data.Length;
        RawBytes += data.Length;
        return _locations.Count - 1;
    }

    /// <summary>Where chunk number <paramref name="chunk"/> (from <see cref="Append"/>) lives: valid from the flush that wrote
    /// it until the next append.</summary>
    /// <exception cref="InvalidOperationException">The chunk's frame has not been written yet.</exception>
    public ChunkLocation LocationOf(int chunk)
    {
        var location = _locations[chunk];
        return location.Frame >= 0 ? location : throw new InvalidOperationException($"Chunk {chunk} of pack {PackId} is not written yet: flush first.");
    }

    /// <summary>Compresses and writes the waiting frames and fsyncs: every chunk appended so far is durable when this returns.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WritePending();
        _writer.FlushToDisk();
        _flushed = true;
        if (!_directorySynced)
        {
            // The file's data is durable, but on POSIX its name is not until the directory is synced too.
            DirectorySync.Flush(_store.PackDirectory);
            _directorySynced = true;
        }
    }

    /// <summary>Flushes and closes the pack; a pack that received no chunk is deleted instead.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        var appended = RawBytes > 0 || _locations.Count > 0;
        try
        {
            if (appended)
            {
                Flush();
            }
        }
        finally
        {
            _disposed = true;
            _writer.Dispose();
            _handle.Dispose();
            foreach (var frame in _pending.Concat(_spare)) frame.Release();
            _store.OnWriterClosed(PackId, deleteFile: !appended);
        }
    }

    private PendingFrame StartFrame()
    {
        if (_pendingBytes >= MaxPendingBytes) WritePending();
        var frame = _spare.Count > 0 ? _spare.Pop() : new PendingFrame();
        frame.Start(_locations.Count);
        _pending.Add(frame);
        return frame;
    }

    private void WritePending()
    {
        if (_pending.Count == 0) return;
        var compression = _settings.Compression;
        if (_pending.Count == 1)
        {
            var compressor = FrameCompressorPool.Rent(compression);
            _pending[0].Compress(compressor);
            FrameCompressorPool.Return(compression, compressor);
        }
        else
        {
            Parallel.For(0, _pending.Count, AllCores, () => FrameCompressorPool.Rent(compression),
                (i, _, compressor) =>
                {
                    _pending[i].Compress(compressor);
                    return compressor;
                },
                compressor => FrameCompressorPool.Return(compression, compressor));
        }

        foreach (var frame in _pending)
        {
            var position = _writer.Position;
            frame.WriteTo(_writer);
            for (var chunk = frame.FirstChunk; chunk < frame.FirstChunk + frame.Chunks; chunk++)
                _locations[chunk] = _locations[chunk] with { Frame = position };
            _spare.Push(frame);
        }

        _pending.Clear();
        _pendingBytes = 0;
    }
}
