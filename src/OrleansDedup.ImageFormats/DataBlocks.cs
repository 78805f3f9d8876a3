using System.Buffers;

namespace OrleansDedup.ImageFormats;

/// <summary>Reads a guest disk block by block for the sparse container writers, which store only the blocks that hold data.</summary>
internal static class DataBlocks
{
    /// <summary>Receives each block in order: its bytes, zero-padded to a whole block, or an empty span if all are zero.</summary>
    public delegate void Visitor(long index, ReadOnlySpan<byte> data);

    /// <summary>Visits the blocks of <paramref name="disk"/> with one pooled buffer; <paramref name="progress"/> receives
    /// the disk bytes as they are read.</summary>
    public static void Scan(IGuestDisk disk, int blockSize, Action<long>? progress, Visitor visit)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            long size = disk.Size;
            long blocks = (size + blockSize - 1) / blockSize;
            for (long b = 0; b < blocks; b++)
            {
                int length = (int)Math.Min(blockSize, size - b * blockSize);
                var block = buffer.AsSpan(0, blockSize);
                disk.Read(block[..length], b * blockSize);
                progress?.Invoke(length);
                bool zero = block[..length].IndexOfAnyExcept((byte)0) < 0;
                block[length..].Clear();
                visit(b, zero ? [] : block);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
