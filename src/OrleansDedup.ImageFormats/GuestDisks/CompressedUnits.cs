using System.Buffers;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>Inflates one compressed region (a qcow2 cluster or a VMDK grain) to the guest bytes it holds.</summary>
internal static class CompressedUnits
{
    /// <summary>The guest bytes a compressed region stands for: a whole unit, cut short by the end of the disk.</summary>
    public static long UnitLength(ImageLayout layout, ImageRegion region) =>
        Math.Min(layout.CompressedUnitSize, layout.VirtualSize - region.GuestOffset);

    /// <summary>Inflates <paramref name="region"/> into <paramref name="into"/> (at least the layout's unit size); returns
    /// the bytes it gave, at most the unit, cut short by the virtual size at the end of the disk.</summary>
    public static int Inflate(SafeFileHandle container, ImageLayout layout, ImageRegion region, Span<byte> into)
    {
        if (layout.Compression is not (GuestCompression.Deflate or GuestCompression.Zlib))
        {
            throw new ImageFormatException($"{layout.Variant} compressed cluster at 0x{region.FileOffset:x} uses {layout.Compression}, which this library does not inflate");
        }

        int unit = (int)UnitLength(layout, region);
        byte[] compressed = ArrayPool<byte>.Shared.Rent((int)region.Length);
        try
        {
            var source = compressed.AsSpan(0, (int)region.Length);
            if (ImageFile.ReadUpTo(container, source, region.FileOffset) != source.Length)
            {
                throw new IOException($"the container ended inside the compressed data at 0x{region.FileOffset:x}; was it truncated?");
            }

            try
            {
                using var input = new MemoryStream(compressed, 0, source.Length, writable: false);
                using Stream decoder = layout.Compression == GuestCompression.Zlib
                    ? new ZLibStream(input, CompressionMode.Decompress)
                    : new DeflateStream(input, CompressionMode.Decompress);
                return decoder.ReadAtLeast(into[..unit], unit, throwOnEndOfStream: false);
            }
            catch (InvalidDataException e)
            {
                throw new ImageFormatException($"{layout.Variant} compressed data at 0x{region.FileOffset:x} for guest offset 0x{region.GuestOffset:x} does not inflate: {e.Message}", e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }
}
