using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Storage.IO;

/// <summary>Reads a file front to back through one pooled buffer, so that parsing small frames costs no syscall each.</summary>
internal sealed class FileWindow : IDisposable
{
    private const int DefaultSize = 1 << 20;

    private readonly SafeFileHandle _handle;
    private byte[] _buffer;
    private long _start;
    private int _count;

    /// <param name="size">Bytes read ahead at a time: large to parse a whole file, small to hop between records.</param>
    public FileWindow(SafeFileHandle handle, int size = DefaultSize)
    {
        _handle = handle;
        _buffer = ArrayPool<byte>.Shared.Rent(size);
        Length = RandomAccess.GetLength(handle);
    }

    /// <summary>The file's length when the window was opened; callers bound their reads by it.</summary>
    public long Length { get; }

    /// <summary>Returns <paramref name="count"/> bytes at <paramref name="position"/>, valid until the next call.</summary>
    public ReadOnlySpan<byte> Read(long position, int count)
    {
        if (position < _start || position + count > _start + _count)
        {
            Fill(position, count);
        }

        return _buffer.AsSpan((int)(position - _start), count);
    }

    private void Fill(long position, int count)
    {
        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }

        _start = position;
        var wanted = (int)Math.Min(_buffer.Length, Length - position);
        _count = FileReads.ReadFully(_handle, _buffer.AsSpan(0, wanted), position);

        if (_count < count)
        {
            throw new InvalidDataException($"File shrank while being read: wanted {count} bytes at offset {position}, got {_count}.");
        }
    }

    public void Dispose()
    {
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
