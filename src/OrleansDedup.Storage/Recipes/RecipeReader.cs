using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Recipes;

/// <summary>Reads a recipe entry by entry, merging its runs with its other entries (<see cref="RecipeFormat"/>) and
/// recomputing the digest, which <see cref="Finish"/> checks against the trailer.</summary>
public sealed class RecipeReader : IDisposable
{
    private readonly RecipeRuns _runs;
    private readonly byte[] _file;
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[RecipeFormat.MaxEntryBytes];
    private readonly int _othersEnd;
    private int _runListAt, _runsLeft, _othersAt, _othersLeft;
    private long _untilOther;
    private byte[] _run = [];
    private int _runAt, _runEntriesLeft;
    private long _entries;

    public RecipeReader(string path, RecipeRuns runs)
    {
        (FilePath, _runs) = (path, runs);
        try
        {
            _file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidDataException($"The recipe {path} is missing.");
        }
        if (_file.Length < RecipeFormat.HeaderBytes + RecipeFormat.TrailerBytes + 2)
            throw new InvalidDataException($"The recipe {path} is truncated.");
        if (!_file.AsSpan(0, 8).SequenceEqual(RecipeFormat.Magic))
            throw new InvalidDataException($"{path} is not a recipe of this version.");
        Offset = BinaryPrimitives.ReadInt64LittleEndian(_file.AsSpan(8));
        Length = BinaryPrimitives.ReadInt64LittleEndian(_file.AsSpan(16));
        _othersEnd = _file.Length - RecipeFormat.TrailerBytes;
        var at = RecipeFormat.HeaderBytes;
        _runsLeft = Count(ref at);
        _runListAt = at;
        for (var i = 0; i < _runsLeft; i++)
        {
            at += Fingerprint.Size;
            Count(ref at);
        }
        _othersLeft = Count(ref at);
        _othersAt = at;
        _untilOther = _othersLeft > 0 ? (long)Number(ref _othersAt) : long.MaxValue;
    }

    public string FilePath { get; }

    /// <summary>Where the segment starts in the image.</summary>
    public long Offset { get; }

    public long Length { get; }

    /// <summary>The runs a recipe file names, for gc's mark and for migration, without reading the runs.</summary>
    public static IEnumerable<Fingerprint> RunIds(string path, RecipeRuns runs)
    {
        using var reader = new RecipeReader(path, runs);
        var at = reader._runListAt;
        for (var i = 0; i < reader._runsLeft; i++)
        {
            yield return Fingerprint.Read(reader._file.AsSpan(at));
            at += Fingerprint.Size;
            reader.Count(ref at);
        }
    }

    public bool TryRead(out RecipeEntry entry)
    {
        if (_untilOther == 0)
        {
            entry = ReadOther();
        }
        else if (_runEntriesLeft > 0 || NextRun())
        {
            entry = ReadRunEntry();
            _untilOther--;
        }
        else if (_othersLeft > 0)
        {
            throw Damaged("an entry is placed after the end of its runs");
        }
        else
        {
            entry = default;
            return false;
        }
        _entries++;
        return true;
    }

    /// <summary>Checks the trailer after the last entry; returns the segment digest.</summary>
    public byte[] Finish()
    {
        while (TryRead(out _)) { }
        if (_othersAt != _othersEnd) throw Damaged("bytes follow its last entry");
        var digest = _digest.GetHashAndReset();
        if (!_file.AsSpan(_othersEnd, 32).SequenceEqual(digest) || BinaryPrimitives.ReadInt64LittleEndian(_file.AsSpan(_othersEnd + 32)) != _entries)
            throw new InvalidDataException($"The recipe {FilePath} is damaged: its digest does not match its entries.");
        return digest;
    }

    public void Dispose() => _digest.Dispose();

    private RecipeEntry ReadOther()
    {
        var start = _othersAt;
        var header = Number(ref _othersAt);
        var length = (int)(header >> 1);
        RecipeEntry entry;
        if ((header & 1) == 1)
        {
            entry = RecipeEntry.Zero(length);
        }
        else
        {
            if (_othersAt + Fingerprint.Size > _othersEnd) throw Damaged("an entry is cut short");
            entry = RecipeEntry.Data(length, Fingerprint.Read(_file.AsSpan(_othersAt)));
            _othersAt += Fingerprint.Size;
        }
        _digest.AppendData(_file.AsSpan(start, _othersAt - start));
        _untilOther = --_othersLeft > 0 ? (long)Number(ref _othersAt) : long.MaxValue;
        return entry;
    }

    private RecipeEntry ReadRunEntry()
    {
        if (_runAt >= _run.Length) throw Damaged("a run holds fewer entries than it names");
        var length = checked((int)Varint.Read(_run, ref _runAt) + RecipeFormat.Block);
        if (_runAt + Fingerprint.Size > _run.Length) throw Damaged("a run is cut short");
        var fingerprint = Fingerprint.Read(_run.AsSpan(_runAt));
        _runAt += Fingerprint.Size;
        _runEntriesLeft--;
        var n = Varint.Write(_scratch, (ulong)(uint)length << 1);
        fingerprint.WriteTo(_scratch.AsSpan(n));
        _digest.AppendData(_scratch.AsSpan(0, n + Fingerprint.Size));
        return RecipeEntry.Data(length, fingerprint);
    }

    private bool NextRun()
    {
        if (_run.Length != _runAt) throw Damaged("a run holds more entries than it names");
        if (_runsLeft == 0) return false;
        var id = Fingerprint.Read(_file.AsSpan(_runListAt));
        _runListAt += Fingerprint.Size;
        _runEntriesLeft = Count(ref _runListAt);
        _runsLeft--;
        _run = _runs.Read(id, FilePath);
        _runAt = 0;
        return _runEntriesLeft > 0 || NextRun();
    }

    private ulong Number(ref int at)
    {
        try
        {
            return Varint.Read(_file.AsSpan(0, _othersEnd), ref at);
        }
        catch (InvalidDataException e)
        {
            throw Damaged(e.Message);
        }
    }

    private int Count(ref int at)
    {
        var value = Number(ref at);
        return value <= int.MaxValue ? (int)value : throw Damaged("holds an impossible count");
    }

    private InvalidDataException Damaged(string what) => new($"The recipe {FilePath} is damaged: {what}.");
}
