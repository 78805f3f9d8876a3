using System.Buffers;
using System.Buffers.Binary;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Packs;

/// <summary>A frame being filled or waiting to be written: its chunks' raw bytes and table, then its stored form.
/// Buffers come from the shared pool and go back when the writer recycles or disposes the frame.</summary>
internal sealed class PendingFrame
{
    private byte[] _raw = [];
    private byte[] _table = [];
    private byte[] _stored = [];

    /// <summary>The writer's number of this frame's first chunk.</summary>
    public int FirstChunk { get; private set; }

    public int Chunks { get; private set; }

    public int RawLength { get; private set; }

    public FrameCodec Codec { get; private set; }

    public int StoredLength { get; private set; }

    public bool Fits(int length, int frameSize) => Chunks == 0 || (RawLength + length <= frameSize && Chunks < FrameHeader.MaxChunks);

    public void Start(int firstChunk)
    {
        FirstChunk = firstChunk;
        Chunks = 0;
        RawLength = 0;
    }

    /// <summary>Adds a chunk; returns its offset in the frame's raw bytes.</summary>
    public int Add(in Fingerprint fingerprint, ReadOnlySpan<byte> data)
    {
        Reserve(ref _raw, RawLength + data.Length);
        Reserve(ref _table, (Chunks + 1) * FrameHeader.TableEntrySize);
        data.CopyTo(_raw.AsSpan(RawLength));
        var entry = _table.AsSpan(Chunks * FrameHeader.TableEntrySize, FrameHeader.TableEntrySize);
        fingerprint.WriteTo(entry);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[Fingerprint.Size..], (uint)data.Length);
        var offset = RawLength;
        RawLength += data.Length;
        Chunks++;
        return offset;
    }

    /// <summary>Chooses the stored form; safe to run for several frames at once, each with its own compressor.</summary>
    public void Compress(FrameCompressor compressor)
    {
        Reserve(ref _stored, FrameCompressor.Bound(RawLength));
        (Codec, StoredLength) = compressor.Compress(_raw.AsSpan(0, RawLength), _stored);
    }

    /// <summary>Writes head, table and stored data; returns the record's length.</summary>
    public int WriteTo(BufferedFileWriter writer)
    {
        var table = _table.AsSpan(0, Chunks * FrameHeader.TableEntrySize);
        Span<byte> head = stackalloc byte[FrameHeader.Size];
        new FrameHeader(StoredLength, RawLength, Chunks, Codec).Write(head, table);
        writer.Write(head);
        writer.Write(table);
        writer.Write(Codec == FrameCodec.Stored ? _raw.AsSpan(0, RawLength) : _stored.AsSpan(0, StoredLength));
        return FrameHeader.Size + table.Length + StoredLength;
    }

    public void Release()
    {
        foreach (var buffer in (byte[][])[_raw, _table, _stored])
            if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        _raw = _table = _stored = [];
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
