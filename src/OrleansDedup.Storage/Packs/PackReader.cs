using System.Buffers;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Packs;

/// <summary>
/// Reads chunks through a few decoded frames, so that reading the chunks of one frame in turn decodes it once. Every
/// frame is checked as it is decoded (head checksum, lengths, codec); damage is an <see cref="InvalidDataException"/>
/// naming the pack and frame. Not thread-safe: one reader per reading task.
/// </summary>
public sealed class PackReader : IDisposable
{
    private readonly ChunkStore _store;
    private readonly Dictionary<(int Pack, long Frame), int> _slots = new();
    private readonly DecodedFrame[] _frames;
    private byte[] _encoded = [];
    private int _next;

    /// <param name="frames">How many decoded frames to keep: a few for reads in pack order, more for scattered reads.</param>
    public PackReader(ChunkStore store, int frames = 4)
    {
        _store = store;
        _frames = new DecodedFrame[Math.Max(1, frames)];
    }

    /// <summary>Copies a chunk's bytes (or a range of them) into the start of <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidDataException">The pack is missing, or its frame is damaged or shorter than the location.</exception>
    public void Read(ChunkLocation location, Span<byte> destination)
    {
        if (destination.Length < location.Length)
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the chunk needs {location.Length}.", nameof(destination));
        if (location.Length < 0 || location.Offset < 0 || location.Frame < PackFormat.MagicSize)
            throw new InvalidDataException($"Invalid chunk location {location}.");
        var frame = Frame(location.Pack, location.Frame);
        if ((long)location.Offset + location.Length > frame.Length)
            throw new InvalidDataException($"pack {location.Pack}: the frame at offset {location.Frame} holds {frame.Length} bytes, fewer than chunk {location} needs");
        frame.Data.AsSpan(location.Offset, location.Length).CopyTo(destination);
    }

    public void Dispose()
    {
        foreach (var frame in _frames)
            if (frame.Data is { Length: > 0 }) ArrayPool<byte>.Shared.Return(frame.Data);
        if (_encoded.Length > 0) ArrayPool<byte>.Shared.Return(_encoded);
        Array.Clear(_frames);
        _encoded = [];
        _slots.Clear();
    }

    private DecodedFrame Frame(int pack, long position)
    {
        if (_slots.TryGetValue((pack, position), out var cached)) return _frames[cached];
        var slot = _next;
        _next = (_next + 1) % _frames.Length;
        ref var frame = ref _frames[slot];
        if (frame.Data is not null) _slots.Remove((frame.Pack, frame.Position));
        var buffer = frame.Data;
        // Empty until decoded: a frame that fails to decode must not leave the slot holding a buffer it gave back.
        frame = default;
        frame = Decode(pack, position, buffer);
        _slots[(pack, position)] = slot;
        return frame;
    }

    private DecodedFrame Decode(int pack, long position, byte[]? buffer)
    {
        try
        {
            var handle = _store.ReadHandle(pack);
            Span<byte> head = stackalloc byte[FrameHeader.Size];
            if (FileReads.ReadFully(handle, head, position) < head.Length) throw Damaged(pack, position, "is past the end of the pack");
            if (!FrameHeader.TryRead(head, out var header)) throw Damaged(pack, position, "has a damaged head");
            var rest = header.TableLength + header.StoredLength;
            Reserve(ref _encoded, rest);
            if (FileReads.ReadFully(handle, _encoded.AsSpan(0, rest), position + FrameHeader.Size) < rest)
                throw Damaged(pack, position, "runs past the end of the pack");
            if (!FrameHeader.Matches(head, _encoded.AsSpan(0, header.TableLength))) throw Damaged(pack, position, "has a damaged head");
            var data = buffer ?? [];
            Reserve(ref data, header.RawLength);
            var stored = _encoded.AsSpan(header.TableLength, header.StoredLength);
            if (header.Codec == FrameCodec.Stored) stored.CopyTo(data);
            else if (!FrameDecompressor.TryDecompress(stored, data.AsSpan(0, header.RawLength), out var error)) throw Damaged(pack, position, error!);
            return new DecodedFrame(pack, position, data, header.RawLength);
        }
        catch (ObjectDisposedException)
        {
            throw Damaged(pack, position, "was closed (its pack deleted, or the store disposed) while being read");
        }
    }

    private static InvalidDataException Damaged(int pack, long position, string what) =>
        new($"pack {pack}: the frame at offset {position} {what}");

    private static void Reserve(ref byte[] buffer, int length)
    {
        if (buffer.Length >= length) return;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        buffer = ArrayPool<byte>.Shared.Rent(length);
    }

    private record struct DecodedFrame(int Pack, long Position, byte[]? Data, int Length);
}
