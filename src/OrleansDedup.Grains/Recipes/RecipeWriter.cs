using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansDedup.Chunking;

namespace OrleansDedup.Grains.Recipes;

/// <summary>Streams a segment's recipe to disk while it is being deduplicated, and hashes it as it goes:
/// the segment digest is SHA-256 over each entry's length and fingerprint (zero runs by length).</summary>
public sealed class RecipeWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[RecipeFormat.MaxEntryBytes];
    private long _entries;
    private bool _pendingZero;
    private long _pendingZeroLength;

    public RecipeWriter(string path, long offset, long length)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        FilePath = path;
        _file.Write(RecipeFormat.Magic);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(header, offset);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], length);
        _file.Write(header);
    }

    public string FilePath { get; }

    public long Bytes => _file.Position;

    public long Entries => _entries;

    /// <summary>Adjacent zero runs merge into one entry.</summary>
    public void AddZero(long length)
    {
        _pendingZero = true;
        _pendingZeroLength += length;
    }

    public void AddData(int length, in Fingerprint fingerprint)
    {
        FlushZero();
        WriteEntry(length, false, fingerprint);
    }

    /// <summary>Ends the recipe, makes it durable and returns the segment digest.</summary>
    public byte[] Complete()
    {
        FlushZero();
        Span<byte> tail = stackalloc byte[1 + 32 + 8];
        tail[0] = 0;
        var digest = _digest.GetHashAndReset();
        digest.CopyTo(tail[1..]);
        BinaryPrimitives.WriteInt64LittleEndian(tail[33..], _entries);
        _file.Write(tail);
        _file.Flush(flushToDisk: true);
        return digest;
    }

    public void Dispose()
    {
        _file.Dispose();
        _digest.Dispose();
    }

    private void FlushZero()
    {
        if (!_pendingZero) return;
        var remaining = _pendingZeroLength;
        while (remaining > 0)
        {
            var piece = (int)Math.Min(remaining, int.MaxValue / 2);
            WriteEntry(piece, true, default);
            remaining -= piece;
        }
        _pendingZero = false;
        _pendingZeroLength = 0;
    }

    private void WriteEntry(int length, bool zero, in Fingerprint fingerprint)
    {
        var header = ((ulong)(uint)length << 1) | (zero ? 1UL : 0UL);
        var n = Varint.Write(_scratch, header);
        _digest.AppendData(_scratch.AsSpan(0, n));
        if (!zero)
        {
            fingerprint.WriteTo(_scratch.AsSpan(n));
            _digest.AppendData(_scratch.AsSpan(n, Fingerprint.Size));
            n += Fingerprint.Size;
        }
        _file.Write(_scratch, 0, n);
        _entries++;
    }
}
