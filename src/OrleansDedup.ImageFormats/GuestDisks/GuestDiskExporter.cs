using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.ImageFormats.Qcow2;
using OrleansDedup.ImageFormats.Vdi;
using OrleansDedup.ImageFormats.Vhd;
using OrleansDedup.ImageFormats.Vmdk;

namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>
/// Writes the guest disk a container file holds, in any <see cref="ImageFormat"/>. Raw and VHD: its guest regions
/// are written at their guest offsets (VHD then adds its footer). The packed formats read the guest disk in place
/// through the layout and store only its blocks with data. Either way only the container's data is read (its holes,
/// a restored image's zero runs, are skipped), so the work follows the data, never the virtual size; progress counts
/// the guest regions' bytes.
/// </summary>
public static class GuestDiskExporter
{
    /// <summary>The bytes <see cref="Export"/> reports at most, for a disk whose guest regions hold
    /// <paramref name="guestRegionBytes"/> bytes of the container (less when they have holes).</summary>
    public static long ProgressBytes(long guestRegionBytes) => guestRegionBytes;

    /// <summary>Refuses, before any file is made, a disk that <paramref name="format"/> cannot hold, or that the file
    /// system under <paramref name="output"/> cannot (raw and VHD are files as large as the disk: tried as a hole).</summary>
    /// <exception cref="FormatLimitException">The disk is too large.</exception>
    public static void CheckTarget(ImageFormat format, long virtualSize, string output)
    {
        GuestDiskLimits.Check(format, virtualSize);
        if (format is ImageFormat.Raw or ImageFormat.Vhd) GuestDiskLimits.Probe(output, FileLength(format, virtualSize));
    }

    /// <param name="flush">Make the output durable before returning: for a file the user keeps, not for one streamed once.</param>
    /// <param name="cancellation">Stops the export at the next block or MiB; the caller removes <paramref name="output"/>.</param>
    /// <exception cref="ImageFormatException">The container's tables are bad.</exception>
    /// <exception cref="FormatLimitException">The format, or the file system, cannot hold the disk.</exception>
    public static void Export(string container, string output, ImageFormat format, Action<long>? progress = null, bool flush = true,
        CancellationToken cancellation = default)
    {
        using var input = File.OpenHandle(container);
        var layout = ImageLayoutReader.Read(input, RandomAccess.GetLength(input));
        GuestDiskLimits.Check(format, layout.VirtualSize);
        using var written = File.OpenHandle(output, FileMode.Create, FileAccess.ReadWrite);
        switch (format)
        {
            case ImageFormat.Raw or ImageFormat.Vhd:
                GuestDiskLimits.SetLength(written, FileLength(format, layout.VirtualSize), output);
                GuestDiskWriter.WriteRaw(input, layout, written, progress, cancellation);
                if (format == ImageFormat.Vhd) FixedVhdWriter.AppendFooter(written, layout.VirtualSize, Guid.NewGuid(), DateTimeOffset.UtcNow);
                break;
            case ImageFormat.Vdi:
                DynamicVdiWriter.Write(new ContainerGuestDisk(input, layout), written, Guid.NewGuid(), progress, cancellation);
                break;
            case ImageFormat.Qcow2:
                Qcow2Writer.Write(new ContainerGuestDisk(input, layout), written, progress, cancellation);
                break;
            default:
                SparseVmdkWriter.Write(new ContainerGuestDisk(input, layout), written, Path.GetFileName(output), progress, cancellation);
                break;
        }

        if (flush) RandomAccess.FlushToDisk(written);
    }

    /// <summary>The length of a raw or fixed VHD file of the disk: the disk, for VHD padded to whole sectors, and its footer.</summary>
    private static long FileLength(ImageFormat format, long virtualSize) =>
        format == ImageFormat.Vhd ? (virtualSize + 511) / 512 * 512 + 512 : virtualSize;
}
