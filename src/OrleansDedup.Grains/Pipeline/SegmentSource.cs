using Microsoft.Win32.SafeHandles;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Images;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Grains.Pipeline;

/// <summary>Reads one segment of an image batch by batch. Holes of sparse files are found with SEEK_DATA/SEEK_HOLE
/// and come back as zeros without being read; a batch that lies wholly in a hole is not touched at all.</summary>
internal sealed class SegmentSource : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly IReadOnlyList<(long Offset, long Length)> _data;
    private readonly string _path;
    private readonly long _sourceLength;

    /// <param name="root">The image root to open <paramref name="path"/> beneath, and <paramref name="identity"/> the file
    /// it must be (see <see cref="SourceFile"/>); a file swapped in since the ingest was checked is refused.</param>
    public SegmentSource(string path, long sourceLength, long offset, long length, string? root = null, FileIdentity? identity = null)
    {
        _path = path;
        _sourceLength = sourceLength;
        try
        {
            _file = SourceFile.OpenVerified(path, root, identity);
        }
        catch (IOException e)
        {
            throw new IngestException(IngestErrorKind.BadInput, $"cannot read {path}: {e.Message}");
        }
        CheckLength();
        _data = SparseRegions.DataRegions(_file, offset, offset + length);
    }

    /// <summary>Fills <paramref name="buffer"/> with the bytes at <paramref name="position"/>; false if they are all a hole.</summary>
    public bool Read(long position, Span<byte> buffer)
    {
        var end = position + buffer.Length;
        var any = false;
        foreach (var (offset, length) in _data)
        {
            var from = Math.Max(offset, position);
            var to = Math.Min(offset + length, end);
            if (from >= to) continue;
            if (!any && (from > position || to < end)) buffer.Clear();
            any = true;
            ReadExactly(buffer.Slice((int)(from - position), (int)(to - from)), from);
        }
        return any;
    }

    /// <summary>Fails if the file was truncated or extended since the ingest was planned.</summary>
    public void CheckLength()
    {
        var now = RandomAccess.GetLength(_file);
        if (now != _sourceLength)
        {
            throw new IngestException(IngestErrorKind.BadInput,
                $"{_path} changed size during the ingest ({_sourceLength} bytes, now {now}); ingest it again once it is stable.");
        }
    }

    public void Dispose() => _file.Dispose();

    private void ReadExactly(Span<byte> destination, long fileOffset)
    {
        int n;
        try
        {
            n = FileReads.ReadFully(_file, destination, fileOffset);
        }
        catch (IOException e)
        {
            throw new IngestException(IngestErrorKind.BadInput, $"cannot read {_path}: {e.Message}");
        }
        if (n < destination.Length)
        {
            throw new IngestException(IngestErrorKind.BadInput,
                $"{_path} ended early at byte {fileOffset + n}: it was truncated during the ingest; ingest it again once it is stable.");
        }
    }
}
