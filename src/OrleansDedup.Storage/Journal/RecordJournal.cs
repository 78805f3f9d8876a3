using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Journal;

/// <summary>
/// An append-only, checksummed record log with snapshot compaction, so that persisting a change costs the size of the
/// change rather than of the whole state. Files: <c>{name}.snap</c> (last compaction) and <c>{name}.log</c> (since).
/// </summary>
/// <remarks>
/// <para>Records must be idempotent: each one sets a key's state absolutely (an upsert or a delete), never a delta.
/// A crash between a compaction's snapshot rename and its log truncation replays the old log on top of the new
/// snapshot; re-applying idempotent records in order yields the same state.</para>
/// <para>Single writer: one journal per name per directory, owned by one grain. The file is locked against a second
/// opener; calls are serialised by a lock all the same.</para>
/// </remarks>
public sealed class RecordJournal : IDisposable
{
    private static ReadOnlySpan<byte> SnapshotMagic => "ODSNAP01"u8;

    private readonly Lock _gate = new();
    private readonly string _directory;
    private readonly string _snapshotPath;
    private readonly string _snapshotTempPath;
    private readonly SafeFileHandle _log;
    private readonly BufferedFileWriter _logWriter;
    private long _snapshotBytes;
    private bool _loaded;
    private bool _disposed;

    /// <summary>Opens (creating if needed) the journal <paramref name="name"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">Another journal instance has the same log open.</exception>
    public RecordJournal(string directory, string name)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
        _snapshotPath = Path.Combine(_directory, name + ".snap");
        _snapshotTempPath = _snapshotPath + ".tmp";
        _log = File.OpenHandle(Path.Combine(_directory, name + ".log"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        _logWriter = new BufferedFileWriter(_log, 0);
    }

    /// <summary>Size of the log including records not yet flushed.</summary>
    public long LogBytes
    {
        get
        {
            lock (_gate)
            {
                return _logWriter.Position;
            }
        }
    }

    /// <summary>Size of the snapshot written by the last compaction (0 if none).</summary>
    public long SnapshotBytes
    {
        get
        {
            lock (_gate)
            {
                return _snapshotBytes;
            }
        }
    }

    /// <summary>
    /// Replays the snapshot, then the log, in the order written. Must be called once before appending. A torn or
    /// corrupt log tail (records never acknowledged by <see cref="Flush"/>, or damaged) is dropped and truncated away.
    /// </summary>
    /// <exception cref="InvalidDataException">The snapshot is damaged: it was fsynced before use, so this is not a crash.</exception>
    public void Load(RecordVisitor visitor)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loaded)
            {
                throw new InvalidOperationException("The journal is already loaded.");
            }

            File.Delete(_snapshotTempPath); // left by a compaction that crashed before its rename
            _snapshotBytes = ReplaySnapshot(visitor);
            var end = ReplayLog(visitor);
            if (end < RandomAccess.GetLength(_log))
            {
                RandomAccess.SetLength(_log, end);
                RandomAccess.FlushToDisk(_log);
            }

            _logWriter.Reset(end);
            // The log may have just been created: its name must be durable before any record flushed into it is.
            DirectorySync.Flush(_directory);
            _loaded = true;
        }
    }

    /// <summary>Buffers one record for the log: no syscall, no allocation. Durable only after <see cref="Flush"/>.</summary>
    public void Append(ReadOnlySpan<byte> record)
    {
        lock (_gate)
        {
            EnsureWritable();
            JournalFrame.Write(_logWriter, record);
        }
    }

    /// <summary>Writes buffered records and fsyncs: every record appended so far survives a crash once this returns.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            EnsureWritable();
            _logWriter.FlushToDisk();
        }
    }

    /// <summary>
    /// Replaces snapshot and log by a snapshot of the records <paramref name="writeAll"/> writes, which must be the
    /// complete live state including everything appended so far (records still buffered are discarded with the log).
    /// </summary>
    /// <remarks>Crash-safe: the snapshot is written to a temporary file, fsynced and renamed into place before the
    /// log is truncated. If <paramref name="writeAll"/> throws, the journal is left as it was.</remarks>
    public void Compact(Action<SnapshotWriter> writeAll)
    {
        lock (_gate)
        {
            EnsureWritable();
            long size;
            try
            {
                size = WriteSnapshot(_snapshotTempPath, writeAll);
            }
            catch
            {
                File.Delete(_snapshotTempPath);
                throw;
            }

            // The rename must be durable before the log it supersedes is emptied.
            DurableFile.Publish(_snapshotTempPath, _snapshotPath);
            RandomAccess.SetLength(_log, 0);
            RandomAccess.FlushToDisk(_log);
            _logWriter.Reset(0);
            _snapshotBytes = size;
        }
    }

    /// <summary>Flushes (when loaded) and closes the journal.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                if (_loaded)
                {
                    _logWriter.FlushToDisk();
                }
            }
            finally
            {
                _disposed = true;
                _logWriter.Dispose();
                _log.Dispose();
            }
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_loaded)
        {
            // Appending before the torn tail is cut would hide the new records behind it on the next load.
            throw new InvalidOperationException("Load the journal before writing to it.");
        }
    }

    private static long WriteSnapshot(string path, Action<SnapshotWriter> writeAll)
    {
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var writer = new BufferedFileWriter(handle, 0);
        writer.Write(SnapshotMagic);
        var snapshot = new SnapshotWriter(writer);
        try
        {
            writeAll(snapshot);
        }
        finally
        {
            snapshot.Close();
        }

        Span<byte> trailer = stackalloc byte[sizeof(uint) + sizeof(long)];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, JournalFrame.EndMarker);
        BinaryPrimitives.WriteInt64LittleEndian(trailer[sizeof(uint)..], snapshot.Count);
        writer.Write(trailer);
        writer.FlushToDisk();
        return writer.Position;
    }

    private long ReplaySnapshot(RecordVisitor visitor)
    {
        // A new shard has no snapshot: asked first, so that each of a fresh store's shards does not throw on start.
        if (!File.Exists(_snapshotPath)) return 0;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(_snapshotPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        using (handle)
        using (var window = new FileWindow(handle))
        {
            if (window.Length < SnapshotMagic.Length || !window.Read(0, SnapshotMagic.Length).SequenceEqual(SnapshotMagic))
            {
                throw Damaged("does not start with the snapshot magic");
            }

            long position = SnapshotMagic.Length;
            long count = 0;
            while (true)
            {
                switch (JournalFrame.Read(window, ref position, out var record))
                {
                    case FrameStatus.Ok:
                        visitor(record);
                        count++;
                        continue;
                    case FrameStatus.EndMarker:
                        var countAt = position + sizeof(uint);
                        if (window.Length - countAt != sizeof(long)
                            || BinaryPrimitives.ReadInt64LittleEndian(window.Read(countAt, sizeof(long))) != count)
                        {
                            throw Damaged("has a bad trailer");
                        }

                        return window.Length;
                    case FrameStatus.Corrupt:
                        throw Damaged($"has a bad checksum at offset {position}");
                    default:
                        throw Damaged($"is truncated at offset {position}");
                }
            }
        }
    }

    private long ReplayLog(RecordVisitor visitor)
    {
        using var window = new FileWindow(_log);
        long position = 0;
        while (JournalFrame.Read(window, ref position, out var record) == FrameStatus.Ok)
        {
            visitor(record);
        }

        // Anything after the last intact frame was never acknowledged as durable, or is damaged: either way it goes.
        return position;
    }

    private InvalidDataException Damaged(string problem) => new($"Journal snapshot '{_snapshotPath}' {problem}.");
}
