using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansDedup.Chunking;

namespace OrleansDedup.Grains.Recipes;

/// <summary>Reads a recipe entry by entry, recomputing the digest, which <see cref="Finish"/> checks against the trailer.</summary>
public sealed class RecipeReader : IDisposable
{
    private readonly BufferedStream _stream;
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[RecipeFormat.MaxEntryBytes];
    private long _entries;
    private bool _ended;

    public RecipeReader(string path)
    {
        FilePath = path;
        try
        {
            _stream = new BufferedStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), 1 << 16);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidDataException($"The recipe {path} is missing.");
        }
        Span<byte> header = stackalloc byte[24];
        ReadExactly(header);
        if (!header[..8].SequenceEqual(RecipeFormat.Magic))
            throw new InvalidDataException($"{path} is not a recipe.");
        Offset = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        Length = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
    }

    public string FilePath { get; }

    /// <summary>Where the segment starts in the image.</summary>
    public long Offset { get; }

    public long Length { get; }

    public bool TryRead(out RecipeEntry entry)
    {
        entry = default;
        if (_ended) return false;
        var header = Varint.Read(_stream);
        if (header == 0)
        {
            _ended = true;
            return false;
        }
        var n = Varint.Write(_scratch, header);
        _digest.AppendData(_scratch.AsSpan(0, n));
        var length = (int)(header >> 1);
        if ((header & 1) == 1)
        {
            entry = RecipeEntry.Zero(length);
        }
        else
        {
            var fp = _scratch.AsSpan(0, Fingerprint.Size);
            ReadExactly(fp);
            _digest.AppendData(fp);
            entry = RecipeEntry.Data(length, Fingerprint.Read(fp));
        }
        _entries++;
        return true;
    }

    /// <summary>Checks the trailer after the last entry; returns the segment digest.</summary>
    public byte[] Finish()
    {
        while (TryRead(out _)) { }
        Span<byte> trailer = stackalloc byte[40];
        ReadExactly(trailer);
        var digest = _digest.GetHashAndReset();
        if (!trailer[..32].SequenceEqual(digest) || BinaryPrimitives.ReadInt64LittleEndian(trailer[32..]) != _entries)
            throw new InvalidDataException($"The recipe {FilePath} is damaged: its digest does not match its entries.");
        return digest;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _digest.Dispose();
    }

    private void ReadExactly(Span<byte> destination)
    {
        try
        {
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"The recipe {FilePath} is truncated.");
        }
    }
}
