using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace OrleansDedup.Storage.IO;

/// <summary>Writes sequentially through one pooled buffer, so a small write costs a copy rather than a syscall.</summary>
/// <remarks>Does not own the handle: pack writers and journals decide its lifetime and sharing.</remarks>
internal sealed class BufferedFileWriter : IDisposable
{
    public const int DefaultBufferSize = 1 << 20;

    private readonly SafeFileHandle _handle;
    private byte[] _buffer;
    private int _buffered;
    private long _fileOffset;

    private long _durableTo = -1;

    public BufferedFileWriter(SafeFileHandle handle, long position, int bufferSize = DefaultBufferSize)
    {
        _handle = handle;
        _fileOffset = position;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>How far the file is known to survive a crash: where the last fsync left it, -1 when unknown (at first,
    /// and after a <see cref="Reset"/>, the caller may have changed the file since).</summary>
    public long DurableTo => _durableTo;

    /// <summary>File offset of the next byte written, counting bytes still in the buffer.</summary>
    public long Position => _fileOffset + _buffered;

    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.Length > _buffer.Length - _buffered)
        {
            Drain();
            if (data.Length >= _buffer.Length)
            {
                // Copying a large write through the buffer would only add a memcpy to the same syscall.
                RandomAccess.Write(_handle, data, _fileOffset);
                _fileOffset += data.Length;
                return;
            }
        }

        data.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += data.Length;
    }

    /// <summary>Hands buffered bytes to the OS without waiting for the disk.</summary>
    public void Drain()
    {
        if (_buffered == 0)
        {
            return;
        }

        RandomAccess.Write(_handle, _buffer.AsSpan(0, _buffered), _fileOffset);
        _fileOffset += _buffered;
        _buffered = 0;
    }

    /// <summary>Drains the buffer and fsyncs: everything written so far survives a crash once this returns. Nothing
    /// written since the last fsync costs no fsync, so that the flushes of several ingests on one journal are one.</summary>
    public void FlushToDisk()
    {
        Drain();
        if (_fileOffset == _durableTo) return;
        RandomAccess.FlushToDisk(_handle);
        _durableTo = _fileOffset;
    }

    /// <summary>Drops buffered bytes and continues at <paramref name="position"/> (after the caller truncated the file).</summary>
    public void Reset(long position)
    {
        _buffered = 0;
        _fileOffset = position;
        _durableTo = -1;
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
