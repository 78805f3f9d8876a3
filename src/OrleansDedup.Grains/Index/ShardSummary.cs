using System.Text.Json;
using OrleansDedup.Abstractions.Index;

namespace OrleansDedup.Grains.Index;

/// <summary>
/// A shard's counts as of its journal's last clean close, beside the journal (<c>shard-NNNN.summary</c>), so that `stats`
/// on an embedded store need not replay every journal. A cache: it holds only while the journal's files have the
/// lengths and modification times it names; anything else (a crash, a later write, a damaged summary) means a replay.
/// </summary>
internal sealed record ShardSummary(ShardSummary.Files Journal, long Chunks, long Aliases, long ChunkBytes)
{
    internal sealed record Files(long LogBytes, long LogWritten, long SnapshotBytes, long SnapshotWritten);

    /// <summary>Best effort: a summary that cannot be written only costs the next `stats` a replay.</summary>
    public static void Write(string directory, int shard, long chunks, long aliases, long chunkBytes)
    {
        var path = PathOf(directory, shard);
        try
        {
            File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(new ShardSummary(JournalFiles(directory, shard), chunks, aliases, chunkBytes)));
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(path);
        }
    }

    /// <summary>The shard's stats from its summary, or null if there is none that matches the journal as it is.</summary>
    public static ShardStats? TryRead(string directory, int shard, string silo)
    {
        try
        {
            var summary = JsonSerializer.Deserialize<ShardSummary>(File.ReadAllBytes(PathOf(directory, shard)));
            return summary is not null && JournalFiles(directory, shard) == summary.Journal
                ? new ShardStats(shard, summary.Chunks, summary.Aliases, summary.ChunkBytes, summary.Journal.LogBytes + summary.Journal.SnapshotBytes, silo)
                : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static Files JournalFiles(string directory, int shard)
    {
        var log = new FileInfo(Path.Combine(directory, ShardIndex.JournalName(shard) + ".log"));
        var snapshot = new FileInfo(Path.Combine(directory, ShardIndex.JournalName(shard) + ".snap"));
        return new Files(log.Exists ? log.Length : -1, log.LastWriteTimeUtc.Ticks,
            snapshot.Exists ? snapshot.Length : 0, snapshot.Exists ? snapshot.LastWriteTimeUtc.Ticks : 0);
    }

    private static string PathOf(string directory, int shard) => Path.Combine(directory, ShardIndex.JournalName(shard) + ".summary");
}
