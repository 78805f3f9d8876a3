namespace OrleansDedup.ImageFormats;

/// <summary>
/// Writes the guest disk a container file holds, in any <see cref="ImageFormat"/>. Raw and VHD: its guest regions
/// are written at their guest offsets (VHD then adds its footer); progress counts the regions' bytes. The packed
/// formats read the guest disk in place through the layout and store only its blocks with data; progress counts the
/// disk's bytes.
/// </summary>
public static class GuestDiskExporter
{
    /// <summary>The bytes <see cref="Export"/> reports in all for a disk of <paramref name="virtualSize"/> bytes whose
    /// guest regions hold <paramref name="guestRegionBytes"/> bytes of the container.</summary>
    public static long ProgressBytes(ImageFormat format, long virtualSize, long guestRegionBytes) =>
        format.IsPacked() ? virtualSize : guestRegionBytes;

    /// <param name="flush">Make the output durable before returning: for a file the user keeps, not for one streamed once.</param>
    /// <exception cref="ImageFormatException">The container's tables are bad.</exception>
    public static void Export(string container, string output, ImageFormat format, Action<long>? progress = null, bool flush = true)
    {
        using var input = File.OpenHandle(container);
        var layout = ImageLayoutReader.Read(input, RandomAccess.GetLength(input));
        using var written = File.OpenHandle(output, FileMode.Create, FileAccess.ReadWrite);
        switch (format)
        {
            case ImageFormat.Raw or ImageFormat.Vhd:
                GuestDiskWriter.WriteRaw(input, layout, written, progress);
                if (format == ImageFormat.Vhd) FixedVhdWriter.AppendFooter(written, layout.VirtualSize, Guid.NewGuid(), DateTimeOffset.UtcNow);
                break;
            case ImageFormat.Vdi:
                DynamicVdiWriter.Write(new ContainerGuestDisk(input, layout), written, Guid.NewGuid(), progress);
                break;
            case ImageFormat.Qcow2:
                Qcow2Writer.Write(new ContainerGuestDisk(input, layout), written, progress);
                break;
            default:
                SparseVmdkWriter.Write(new ContainerGuestDisk(input, layout), written, Path.GetFileName(output), progress);
                break;
        }

        if (flush) RandomAccess.FlushToDisk(written);
    }
}
