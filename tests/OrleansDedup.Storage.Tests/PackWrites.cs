using OrleansDedup.Chunking;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Storage.Tests;

/// <summary>Writes chunks into one new pack, flushes it, and returns each chunk's fingerprint and location.</summary>
internal static class PackWrites
{
    public static List<PackRecord> Write(ChunkStore store, IEnumerable<byte[]> chunks, Action<PackWriter>? beforeDispose = null)
    {
        using var writer = store.CreateWriter();
        var appended = chunks.Select(chunk => (Fingerprint.Compute(chunk), writer.Append(Fingerprint.Compute(chunk), chunk))).ToList();
        writer.Flush();
        beforeDispose?.Invoke(writer);
        return appended.Select(a => new PackRecord(a.Item1, writer.LocationOf(a.Item2))).ToList();
    }

    public static ChunkLocation WriteOne(ChunkStore store, byte[] chunk) => Write(store, [chunk])[0].Location;
}
