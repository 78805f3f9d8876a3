using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Chunking;

namespace OrleansDedup.Storage;

/// <summary>
/// Appends chunk records to one new pack file through a pooled buffer. Not thread-safe: one writer per ingest stream.
/// </summary>
/// <remarks>
/// A location returned by <see cref="Append"/> may be recorded in the index only after <see cref="Flush"/> (or
/// <see cref="Dispose"/>) returns: until then the bytes may sit in the buffer or the page cache and vanish in a crash.
/// </remarks>
public sealed class PackWriter : IDisposable
{
    /// <summary>Bytes of store metadata before each chunk's data: <c>[u32 length][32-byte fingerprint]</c>.</summary>
    public const int RecordHeaderSize = sizeof(uint) + Fingerprint.Size;

    private readonly ChunkStore _store;
    private readonly SafeFileHandle _handle;
    private readonly BufferedFileWriter _writer;
    private bool _appended;
    private bool _directorySynced;
    private bool _disposed;

    internal PackWriter(ChunkStore store, int packId, SafeFileHandle handle)
    {
        _store = store;
        _handle = handle;
        PackId = packId;
        _writer = new BufferedFileWriter(handle, 0);
        _writer.Write(PackFormat.Magic);
    }

    /// <summary>The id of the pack this writer fills, unique within the store's directory.</summary>
    public int PackId { get; }

    /// <summary>The pack's length including bytes not yet flushed.</summary>
    public long Length => _writer.Position;

    /// <summary>Appends one chunk and returns where its data will be; durable only after <see cref="Flush"/>.</summary>
    public ChunkLocation Append(in Fingerprint fingerprint, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> header = stackalloc byte[RecordHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)data.Length);
        fingerprint.WriteTo(header[sizeof(uint)..]);
        _writer.Write(header);
        var offset = _writer.Position;
        _writer.Write(data);
        _appended = true;
        return new ChunkLocation(PackId, offset, data.Length);
    }

    /// <summary>Writes buffered records and fsyncs: every chunk appended so far is durable when this returns.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.FlushToDisk();
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

        try
        {
            if (_appended)
            {
                Flush();
            }
        }
        finally
        {
            _disposed = true;
            _writer.Dispose();
            _handle.Dispose();
            _store.OnWriterClosed(PackId, deleteFile: !_appended);
        }
    }
}
