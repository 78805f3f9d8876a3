using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Storage;

/// <summary>
/// Appends chunks to one new pack file. Neighbouring chunks gather in a frame of up to the store's frame size, which is
/// compressed and written as one record when it is full or at <see cref="Flush"/>. Not thread-safe: one writer per
/// ingest stream.
/// </summary>
/// <remarks>
/// A location returned by <see cref="Append"/> may be recorded in the index only after <see cref="Flush"/> (or
/// <see cref="Dispose"/>) returns: until then the bytes may sit in the frame, the buffer or the page cache and vanish in
/// a crash.
/// </remarks>
public sealed class PackWriter : IDisposable
{
    private readonly ChunkStore _store;
    private readonly SafeFileHandle _handle;
    private readonly BufferedFileWriter _writer;
    private readonly FrameCompressor _compressor;
    private readonly int _frameSize;
    private byte[] _raw;
    private byte[] _table;
    private byte[] _stored = [];
    private int _rawLength;
    private int _chunks;
    private long _frameStart;
    private bool _appended;
    private bool _directorySynced;
    private bool _disposed;

    internal PackWriter(ChunkStore store, int packId, SafeFileHandle handle, PackSettings settings)
    {
        _store = store;
        _handle = handle;
        PackId = packId;
        _frameSize = settings.FrameSize;
        _compressor = new FrameCompressor(settings.Compression);
        _raw = ArrayPool<byte>.Shared.Rent(_frameSize);
        _table = ArrayPool<byte>.Shared.Rent(64 * FrameHeader.TableEntrySize);
        _writer = new BufferedFileWriter(handle, 0);
        _writer.Write(PackFormat.Magic);
    }

    /// <summary>The id of the pack this writer fills, unique within the store's directory.</summary>
    public int PackId { get; }

    /// <summary>The pack's length up to its last complete frame; the frame being filled is added when it is written.</summary>
    public long Length => _writer.Position;

    /// <summary>Raw bytes of the chunks appended so far.</summary>
    public long RawBytes { get; private set; }

    /// <summary>Bytes the chunks cost in the pack so far (frame heads, tables and stored data), once written.</summary>
    public long StoredBytes => _writer.Position - PackFormat.MagicSize;

    /// <summary>Appends one chunk and returns where its data will be; durable only after <see cref="Flush"/>.</summary>
    public ChunkLocation Append(in Fingerprint fingerprint, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_chunks > 0 && (_rawLength + data.Length > _frameSize || _chunks == FrameHeader.MaxChunks)) WriteFrame();
        if (_chunks == 0) _frameStart = _writer.Position;
        Reserve(ref _raw, _rawLength + data.Length);
        Reserve(ref _table, (_chunks + 1) * FrameHeader.TableEntrySize);
        var location = new ChunkLocation(PackId, _frameStart, _rawLength, data.Length);
        data.CopyTo(_raw.AsSpan(_rawLength));
        var entry = _table.AsSpan(_chunks * FrameHeader.TableEntrySize, FrameHeader.TableEntrySize);
        fingerprint.WriteTo(entry);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[Fingerprint.Size..], (uint)data.Length);
        _rawLength += data.Length;
        _chunks++;
        RawBytes += data.Length;
        _appended = true;
        return location;
    }

    /// <summary>Writes the open frame and fsyncs: every chunk appended so far is durable when this returns.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteFrame();
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
            _compressor.Dispose();
            foreach (var buffer in (byte[][])[_raw, _table, _stored])
                if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
            _store.OnWriterClosed(PackId, deleteFile: !_appended);
        }
    }

    private void WriteFrame()
    {
        if (_chunks == 0) return;
        Reserve(ref _stored, FrameCompressor.Bound(_rawLength));
        var raw = _raw.AsSpan(0, _rawLength);
        var (codec, length) = _compressor.Compress(raw, _stored);
        var table = _table.AsSpan(0, _chunks * FrameHeader.TableEntrySize);
        Span<byte> head = stackalloc byte[FrameHeader.Size];
        new FrameHeader(length, _rawLength, _chunks, codec).Write(head, table);
        _writer.Write(head);
        _writer.Write(table);
        _writer.Write(codec == FrameCodec.Stored ? raw : _stored.AsSpan(0, length));
        _rawLength = 0;
        _chunks = 0;
    }

    private static void Reserve(ref byte[] buffer, int length)
    {
        if (buffer.Length >= length) return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(length, buffer.Length * 2));
        buffer.CopyTo(larger, 0);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
    }
}
