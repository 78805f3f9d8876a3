using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Recipes;

/// <summary>Builds a segment's recipe while it is being deduplicated (<see cref="RecipeFormat"/>): whole-block data entries
/// go into runs, stored as each run ends; the other entries and the run list are kept until <see cref="Complete"/>
/// writes the recipe file. The segment digest is computed as the entries come. A run is written as it ends and made
/// durable in the background, so the segment does not wait on its fsync; <see cref="Complete"/> waits for them all.</summary>
public sealed class RecipeWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly RecipeRuns _runs;
    private readonly long _offset, _length;
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[RecipeFormat.MaxEntryBytes];
    private readonly ArrayBufferWriter<byte> _run = new(1 << 16);
    private readonly ArrayBufferWriter<byte> _runList = new(1 << 12);
    private readonly ArrayBufferWriter<byte> _others = new(1 << 12);
    private readonly List<Task> _storing = [];
    private int _runEntries, _runCount, _otherCount;
    private long _entries, _sinceOther, _runBytesWritten;
    private long _pendingZero;

    public RecipeWriter(string path, RecipeRuns runs, long offset, long length)
    {
        (_path, _runs, _offset, _length) = (path, runs, offset, length);
        if (File.Exists(path)) throw new IOException($"The recipe {path} exists already.");
    }

    public string FilePath => _path;

    /// <summary>The recipe file's bytes once complete, plus the bytes of the runs this recipe was first to store.</summary>
    public long Bytes { get; private set; }

    public long Entries => _entries;

    /// <summary>Adjacent zero runs merge into one entry.</summary>
    public void AddZero(long length) => _pendingZero += length;

    /// <param name="containerOwn">The entry is a container's own bytes (a header, a table), which other containers of
    /// the same guest do not share: it stays out of the runs, like pieces shorter than a block.</param>
    public void AddData(int length, in Fingerprint fingerprint, bool containerOwn = false)
    {
        FlushZero();
        var header = Header(length, zero: false);
        fingerprint.WriteTo(_scratch.AsSpan(header));
        _digest.AppendData(_scratch.AsSpan(0, header + Fingerprint.Size));
        _entries++;
        if (containerOwn || length < RecipeFormat.Block)
        {
            AddOther(header, withFingerprint: true);
            return;
        }
        var span = _run.GetSpan(Varint.MaxBytes + Fingerprint.Size);
        var n = Varint.Write(span, (ulong)(length - RecipeFormat.Block));
        fingerprint.WriteTo(span[n..]);
        _run.Advance(n + Fingerprint.Size);
        _runEntries++;
        _sinceOther++;
        if (RecipeFormat.EndsRun(_scratch.AsSpan(header, Fingerprint.Size), _runEntries)) EndRun();
    }

    /// <summary>Stores the last run, makes the runs and then the recipe durable, and returns the segment digest.</summary>
    public async Task<byte[]> Complete()
    {
        FlushZero();
        EndRun();
        await Task.WhenAll(_storing);
        // Synced even when every run was there already: another writer may have named one and not yet synced.
        if (_runCount > 0) _runs.Sync();
        var digest = _digest.GetHashAndReset();
        var size = RecipeFormat.HeaderBytes + 2 * Varint.MaxBytes + _runList.WrittenCount + _others.WrittenCount + RecipeFormat.TrailerBytes;
        var file = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var at = RecipeFormat.Magic.Length;
            RecipeFormat.Magic.CopyTo(file);
            BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(at), _offset);
            BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(at + 8), _length);
            at = RecipeFormat.HeaderBytes;
            at += Varint.Write(file.AsSpan(at), (ulong)_runCount);
            _runList.WrittenSpan.CopyTo(file.AsSpan(at));
            at += _runList.WrittenCount;
            at += Varint.Write(file.AsSpan(at), (ulong)_otherCount);
            _others.WrittenSpan.CopyTo(file.AsSpan(at));
            at += _others.WrittenCount;
            digest.CopyTo(file.AsSpan(at));
            BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(at + 32), _entries);
            at += RecipeFormat.TrailerBytes;
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using (var stream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(file, 0, at);
                stream.Flush(flushToDisk: true);
            }
            Bytes = at + _runBytesWritten;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(file);
        }
        return digest;
    }

    /// <summary>Waits for the runs still being stored, so that nothing is written after the writer is gone; a failure
    /// among them is <see cref="Complete"/>'s to report (the runs are garbage for gc, the recipe was never written).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_storing).ContinueWith(_ => { }, TaskScheduler.Default);
        _digest.Dispose();
    }

    private void FlushZero()
    {
        while (_pendingZero > 0)
        {
            var piece = (int)Math.Min(_pendingZero, int.MaxValue / 2);
            var header = Header(piece, zero: true);
            _digest.AppendData(_scratch.AsSpan(0, header));
            _entries++;
            AddOther(header, withFingerprint: false);
            _pendingZero -= piece;
        }
    }

    /// <summary>Writes an entry header into the scratch buffer; returns its length.</summary>
    private int Header(int length, bool zero) => Varint.Write(_scratch, ((ulong)(uint)length << 1) | (zero ? 1UL : 0UL));

    private void AddOther(int header, bool withFingerprint)
    {
        var entry = header + (withFingerprint ? Fingerprint.Size : 0);
        var span = _others.GetSpan(Varint.MaxBytes + entry);
        var n = Varint.Write(span, (ulong)_sinceOther);
        _scratch.AsSpan(0, entry).CopyTo(span[n..]);
        _others.Advance(n + entry);
        _otherCount++;
        _sinceOther = 0;
    }

    private void EndRun()
    {
        if (_runEntries == 0) return;
        var id = RecipeRuns.Id(_run.WrittenSpan);
        if (_runs.AddInBackground(id, _run.WrittenSpan) is { } storing)
        {
            _storing.Add(storing);
            _runBytesWritten += _run.WrittenCount;
        }
        var span = _runList.GetSpan(Fingerprint.Size + Varint.MaxBytes);
        id.WriteTo(span);
        _runList.Advance(Fingerprint.Size + Varint.Write(span[Fingerprint.Size..], (ulong)_runEntries));
        _runCount++;
        _run.ResetWrittenCount();
        _runEntries = 0;
    }
}
