using System.Buffers;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>Writes the raw guest disk a container holds: the guest view that chunking and verification compare.</summary>
public static class GuestDiskWriter
{
    private const int CopyBytes = 1 << 20;
    private const int SparseBytes = 64 << 10;

    /// <summary>
    /// Truncates <paramref name="output"/>, writes every guest region at its guest offset and sets the length to
    /// the virtual size, so holes stay sparse and read as zeros. The holes of the container (a restored image's zero
    /// runs) are neither read nor written. <paramref name="progress"/> receives the container bytes of guest regions as
    /// they are done: in all, the sum of their lengths.
    /// </summary>
    public static void WriteRaw(SafeFileHandle container, ImageLayout layout, SafeFileHandle output, Action<long>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(output);
        RandomAccess.SetLength(output, 0);
        RandomAccess.SetLength(output, layout.VirtualSize);
        // One buffer for copied pieces and inflated units alike: they are never needed at once.
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(CopyBytes, layout.CompressedUnitSize));
        try
        {
            foreach (var region in layout.Regions)
            {
                cancellation.ThrowIfCancellationRequested();
                switch (region.Kind)
                {
                    case RegionKind.GuestData:
                        Copy(container, region, output, buffer, progress, cancellation);
                        break;
                    case RegionKind.CompressedGuestData:
                        Inflate(container, layout, region, output, buffer, progress);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Copy(SafeFileHandle container, ImageRegion region, SafeFileHandle output, byte[] buffer, Action<long>? progress,
        CancellationToken cancellation)
    {
        long reported = region.FileOffset;
        foreach (var (offset, length) in GuestExtents.FileData(container, region.FileOffset, region.Length))
        {
            for (long done = 0; done < length;)
            {
                cancellation.ThrowIfCancellationRequested();
                int want = (int)Math.Min(buffer.Length, length - done);
                int read = ImageFile.ReadUpTo(container, buffer.AsSpan(0, want), offset + done);
                if (read < want)
                {
                    throw new IOException($"the container ended at 0x{offset + done + read:x}, inside a guest data region; was it truncated?");
                }

                WriteNonZero(output, buffer.AsSpan(0, read), region.GuestOffset + (offset - region.FileOffset) + done);
                done += read;
                progress?.Invoke(offset + done - reported);
                reported = offset + done;
            }
        }

        progress?.Invoke(region.FileOffset + region.Length - reported); // the hole at the end, if any
    }

    /// <summary>Skips zero runs: the output starts empty, so they stay holes, as a fixed VHD's unused space should.</summary>
    private static void WriteNonZero(SafeFileHandle output, ReadOnlySpan<byte> data, long guestOffset)
    {
        for (int at = 0; at < data.Length; at += SparseBytes)
        {
            var piece = data.Slice(at, Math.Min(SparseBytes, data.Length - at));
            if (piece.IndexOfAnyExcept((byte)0) >= 0)
            {
                RandomAccess.Write(output, piece, guestOffset + at);
            }
        }
    }

    private static void Inflate(SafeFileHandle container, ImageLayout layout, ImageRegion region, SafeFileHandle output, byte[] buffer,
        Action<long>? progress)
    {
        int length = CompressedUnits.Inflate(container, layout, region, buffer);
        WriteNonZero(output, buffer.AsSpan(0, length), region.GuestOffset);
        progress?.Invoke(region.Length);
    }
}
