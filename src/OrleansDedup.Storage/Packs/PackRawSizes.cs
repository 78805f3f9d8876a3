using System.Buffers.Binary;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Packs;

/// <summary>
/// How many bytes the packs hold before compression, for `stats`. Walking every pack's frame heads is most of what
/// `stats` costs, so each pack's total is kept in <c>packs/raw-sizes</c> with the pack's length and modification time. A
/// cache: an entry counts only while its pack still has that length and time; any other pack is walked again.
/// </summary>
public static class PackRawSizes
{
    private const string FileName = "raw-sizes";
    private const int EntrySize = sizeof(int) + 3 * sizeof(long);

    /// <summary>The raw bytes of the complete frames of <paramref name="packs"/>; refreshes the cache where it is stale.</summary>
    public static long Total(ChunkStore store, IReadOnlyList<PackInfo> packs)
    {
        var path = Path.Combine(store.PackDirectory, FileName);
        var cached = Read(path);
        var current = new Entry[packs.Count];
        Parallel.For(0, packs.Count, i =>
        {
            var pack = packs[i];
            var file = store.PackPath(pack.Id);
            var written = File.GetLastWriteTimeUtc(file).Ticks;
            current[i] = cached.TryGetValue(pack.Id, out var entry) && entry.Length == pack.Length && entry.Written == written
                ? entry
                : new Entry(pack.Id, pack.Length, written, PackScanner.Frames(file).Sum(f => (long)f.RawLength));
        });
        if (current.Length != cached.Count || current.Any(e => !cached.TryGetValue(e.Id, out var c) || c != e)) Write(path, current);
        return current.Sum(e => e.Raw);
    }

    private readonly record struct Entry(int Id, long Length, long Written, long Raw);

    private static Dictionary<int, Entry> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        var entries = new Dictionary<int, Entry>();
        if (bytes.Length % EntrySize != 0) return entries;
        for (var at = 0; at < bytes.Length; at += EntrySize)
        {
            var span = bytes.AsSpan(at, EntrySize);
            var entry = new Entry(BinaryPrimitives.ReadInt32LittleEndian(span), BinaryPrimitives.ReadInt64LittleEndian(span[4..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[12..]), BinaryPrimitives.ReadInt64LittleEndian(span[20..]));
            entries[entry.Id] = entry;
        }
        return entries;
    }

    /// <summary>Best effort: a cache that cannot be written (a read-only volume) only costs the next `stats` a walk.</summary>
    private static void Write(string path, Entry[] entries)
    {
        var bytes = new byte[entries.Length * EntrySize];
        for (var i = 0; i < entries.Length; i++)
        {
            var span = bytes.AsSpan(i * EntrySize, EntrySize);
            BinaryPrimitives.WriteInt32LittleEndian(span, entries[i].Id);
            BinaryPrimitives.WriteInt64LittleEndian(span[4..], entries[i].Length);
            BinaryPrimitives.WriteInt64LittleEndian(span[12..], entries[i].Written);
            BinaryPrimitives.WriteInt64LittleEndian(span[20..], entries[i].Raw);
        }
        try
        {
            DurableFile.Write(path, bytes, syncDirectory: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
