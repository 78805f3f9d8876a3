using System.Buffers.Binary;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Index;

/// <summary>
/// A shard's counts as of its journal's last clean close, beside the journal (<c>shard-NNNN.summary</c>), so that `stats`
/// on an embedded store need not replay every journal. A cache: it holds only while the journal's files have the
/// lengths and modification times it names; anything else (a crash, a later write, a damaged summary) means a replay.
/// Seven little-endian words, no serializer: reading sixteen of them is most of what `stats` costs.
/// </summary>
public static class ShardSummary
{
    private const int Words = 7;

    /// <summary>Best effort: a summary that cannot be written only costs the next `stats` a replay.</summary>
    public static void Write(string directory, int shard, ShardCounts counts)
    {
        var path = PathOf(directory, shard);
        try
        {
            var (log, logWritten, snapshot, snapshotWritten) = JournalFiles(directory, shard);
            var bytes = new byte[Words * sizeof(long)];
            long[] words = [log, logWritten, snapshot, snapshotWritten, counts.Chunks, counts.Aliases, counts.ChunkBytes];
            for (var i = 0; i < Words; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), words[i]);
            DurableFile.Write(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(path);
        }
    }

    /// <summary>The shard's counts from its summary, or null if there is none that matches the journal as it is.</summary>
    public static ShardCounts? TryRead(string directory, int shard)
    {
        var path = PathOf(directory, shard);
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null;
        }
        if (bytes.Length != Words * sizeof(long)) return null;
        var w = new long[Words];
        for (var i = 0; i < Words; i++) w[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long)));
        return JournalFiles(directory, shard) == (w[0], w[1], w[2], w[3])
            ? new ShardCounts(w[4], w[5], w[6], w[0] + w[2])
            : null;
    }

    private static (long LogBytes, long LogWritten, long SnapshotBytes, long SnapshotWritten) JournalFiles(string directory, int shard)
    {
        var log = new FileInfo(Path.Combine(directory, ShardIndex.JournalName(shard) + ".log"));
        var snapshot = new FileInfo(Path.Combine(directory, ShardIndex.JournalName(shard) + ".snap"));
        return (log.Exists ? log.Length : -1, log.LastWriteTimeUtc.Ticks,
            snapshot.Exists ? snapshot.Length : 0, snapshot.Exists ? snapshot.LastWriteTimeUtc.Ticks : 0);
    }

    private static string PathOf(string directory, int shard) => Path.Combine(directory, ShardIndex.JournalName(shard) + ".summary");
}
