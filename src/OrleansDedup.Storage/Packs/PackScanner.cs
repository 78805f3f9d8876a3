using System.Buffers.Binary;
using OrleansDedup.Chunking;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Storage.Packs;

/// <summary>A frame found in a pack: where it starts, what it stores and how many chunks it holds.</summary>
public readonly record struct PackFrame(long Position, int StoredLength, int RawLength, int Chunks);

/// <summary>Lists the frames and chunks of a pack file by walking its frame heads, for verification, garbage
/// collection and rebuilding a cache's index.</summary>
public static class PackScanner
{
    /// <summary>
    /// Yields every chunk of every complete frame in file order and stops silently at a torn tail (a frame cut short, or
    /// whose head does not check, as a crash mid-write leaves it). Content is not decoded here.
    /// </summary>
    /// <exception cref="ArgumentException">The file name is not a pack name (<c>pack-NNNNNNNN.pack</c>).</exception>
    /// <exception cref="InvalidDataException">The file does not start with the pack magic.</exception>
    public static IEnumerable<PackRecord> Scan(string packPath) => Walk(packPath, chunks: true).SelectMany(f => f.Records);

    /// <summary>The complete frames of a pack, as <see cref="Scan"/> finds them.</summary>
    public static IEnumerable<PackFrame> Frames(string packPath) => Walk(packPath, chunks: false).Select(f => f.Frame);

    private static IEnumerable<(PackFrame Frame, PackRecord[] Records)> Walk(string packPath, bool chunks)
    {
        if (!PackFormat.TryParseId(Path.GetFileName(packPath), out var packId))
        {
            throw new ArgumentException($"'{packPath}' is not named like a pack file.", nameof(packPath));
        }

        return WalkFrames(packPath, packId, chunks);
    }

    private static IEnumerable<(PackFrame, PackRecord[])> WalkFrames(string packPath, int packId, bool chunks)
    {
        using var handle = File.OpenHandle(packPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // Only frame heads and tables are read: a small window hops over the stored data instead of reading the whole
        // pack, which gc and stats would otherwise do for every pack.
        using var window = new FileWindow(handle, size: 4096);

        // A pack that crashed before its first flush can be empty or hold part of the magic: nothing was promised.
        if (window.Length < PackFormat.MagicSize)
        {
            yield break;
        }

        if (!window.Read(0, PackFormat.MagicSize).SequenceEqual(PackFormat.Magic))
        {
            throw new InvalidDataException($"'{packPath}' does not start with the pack magic.");
        }

        long position = PackFormat.MagicSize;
        while (TryReadFrame(window, packId, position, chunks, out var frame, out var records))
        {
            yield return (frame, records);
            position += FrameHeader.Size + (long)frame.Chunks * FrameHeader.TableEntrySize + frame.StoredLength;
        }
    }

    private static bool TryReadFrame(FileWindow window, int packId, long position, bool chunks, out PackFrame frame, out PackRecord[] records)
    {
        frame = default;
        records = [];
        if (window.Length - position < FrameHeader.Size || !FrameHeader.TryRead(window.Read(position, FrameHeader.Size), out var header)
            || header.RecordLength > window.Length - position)
        {
            return false;
        }

        var both = window.Read(position, FrameHeader.Size + header.TableLength);
        var table = both[FrameHeader.Size..];
        if (!FrameHeader.Matches(both, table))
        {
            return false;
        }

        frame = new PackFrame(position, header.StoredLength, header.RawLength, header.ChunkCount);
        if (!chunks) return true;
        records = new PackRecord[header.ChunkCount];
        var offset = 0;
        for (var i = 0; i < records.Length; i++)
        {
            var entry = table.Slice(i * FrameHeader.TableEntrySize, FrameHeader.TableEntrySize);
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[Fingerprint.Size..]);
            records[i] = new PackRecord(Fingerprint.Read(entry), new ChunkLocation(packId, position, offset, length));
            offset += length;
        }
        return true;
    }
}
