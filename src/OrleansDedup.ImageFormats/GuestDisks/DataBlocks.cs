using System.Buffers;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>Reads a guest disk block by block for the sparse container writers, which store only the blocks that hold
/// data. Only the blocks that the disk's data extents touch are read: the rest are zeros by construction, so the work
/// follows the data, never the virtual size.</summary>
internal static class DataBlocks
{
    /// <summary>Receives the blocks that may hold data, in ascending order: their bytes, zero-padded to a whole block, or
    /// an empty span if all are zero. Blocks it is not given are all zero.</summary>
    public delegate void Visitor(long index, ReadOnlySpan<byte> data);

    /// <summary>Visits the blocks of <paramref name="disk"/> with one pooled buffer; <paramref name="progress"/> receives
    /// the bytes of the data extents as they are done. Stops with <see cref="OperationCanceledException"/> at the next
    /// block once <paramref name="cancellation"/> is set.</summary>
    public static void Scan(IGuestDisk disk, int blockSize, Action<long>? progress, CancellationToken cancellation, Visitor visit)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            long size = disk.Size;
            long next = 0; // the first block not visited yet
            foreach (var (offset, length) in disk.DataExtents())
            {
                cancellation.ThrowIfCancellationRequested();
                if (length <= 0) continue;
                long last = (offset + length - 1) / blockSize;
                for (long b = Math.Max(next, offset / blockSize); b <= last; b++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    int read = (int)Math.Min(blockSize, size - b * blockSize);
                    var block = buffer.AsSpan(0, blockSize);
                    disk.Read(block[..read], b * blockSize);
                    bool zero = block[..read].IndexOfAnyExcept((byte)0) < 0;
                    block[read..].Clear();
                    visit(b, zero ? [] : block);
                }

                next = Math.Max(next, last + 1);
                progress?.Invoke(length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
