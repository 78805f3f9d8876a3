using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Journal;

/// <summary>Receives the live records during <see cref="RecordJournal.Compact"/>; valid only inside that call.</summary>
public sealed class SnapshotWriter
{
    private BufferedFileWriter? _writer;

    internal SnapshotWriter(BufferedFileWriter writer) => _writer = writer;

    /// <summary>Records written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one live record to the snapshot.</summary>
    public void Write(ReadOnlySpan<byte> record)
    {
        ObjectDisposedException.ThrowIf(_writer is null, this);
        JournalFrame.Write(_writer, record);
        Count++;
    }

    internal void Close() => _writer = null;
}
