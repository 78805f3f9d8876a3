using System.Buffers.Binary;
using OrleansDedup.Chunking;

namespace OrleansDedup.Storage;

/// <summary>Lists the records of a pack file by walking its headers, for verification and index recovery.</summary>
public static class PackScanner
{
    /// <summary>
    /// Yields every complete record in file order and stops silently at a torn tail (a header or data cut short by
    /// a crash). Content is not hashed here: verifiers compare <see cref="Fingerprint.Compute"/> against the result.
    /// </summary>
    /// <exception cref="ArgumentException">The file name is not a pack name (<c>pack-NNNNNNNN.pack</c>).</exception>
    /// <exception cref="InvalidDataException">The file does not start with the pack magic.</exception>
    public static IEnumerable<PackRecord> Scan(string packPath)
    {
        if (!PackFormat.TryParseId(Path.GetFileName(packPath), out var packId))
        {
            throw new ArgumentException($"'{packPath}' is not named like a pack file.", nameof(packPath));
        }

        return ScanRecords(packPath, packId);
    }

    private static IEnumerable<PackRecord> ScanRecords(string packPath, int packId)
    {
        using var handle = File.OpenHandle(packPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var window = new FileWindow(handle);

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
        while (TryReadRecord(window, packId, ref position, out var record))
        {
            yield return record;
        }
    }

    private static bool TryReadRecord(FileWindow window, int packId, ref long position, out PackRecord record)
    {
        record = default;
        if (window.Length - position < PackWriter.RecordHeaderSize)
        {
            return false;
        }

        var header = window.Read(position, PackWriter.RecordHeaderSize);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var dataOffset = position + PackWriter.RecordHeaderSize;
        if (length > int.MaxValue || length > window.Length - dataOffset)
        {
            return false;
        }

        record = new PackRecord(Fingerprint.Read(header[sizeof(uint)..]), new ChunkLocation(packId, dataOffset, (int)length));
        position = dataOffset + length;
        return true;
    }
}
