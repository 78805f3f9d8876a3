namespace OrleansDedup.ImageFormats;

/// <summary>
/// Writes the guest disk a container file holds, in any <see cref="GuestDiskFormat"/>. Raw and VHD: its guest regions
/// are written at their guest offsets (VHD then adds its footer); progress counts the regions' bytes. The packed
/// formats read the guest disk in place through the layout and store only its blocks with data; progress counts the
/// disk's bytes.
/// </summary>
public static class GuestDiskExporter
{
    /// <exception cref="ImageFormatException">The container's tables are bad.</exception>
    public static void Export(string container, string output, GuestDiskFormat format, Action<long>? progress = null)
    {
        using var input = File.OpenHandle(container);
        var layout = ImageLayoutReader.Read(input, RandomAccess.GetLength(input));
        using var written = File.OpenHandle(output, FileMode.Create, FileAccess.ReadWrite);
        switch (format)
        {
            case GuestDiskFormat.Raw or GuestDiskFormat.Vhd:
                GuestDiskWriter.WriteRaw(input, layout, written, progress);
                if (format == GuestDiskFormat.Vhd) FixedVhdWriter.AppendFooter(written, layout.VirtualSize, Guid.NewGuid(), DateTimeOffset.UtcNow);
                break;
            case GuestDiskFormat.Vdi:
                DynamicVdiWriter.Write(new ContainerGuestDisk(input, layout), written, Guid.NewGuid(), progress);
                break;
            case GuestDiskFormat.Qcow2:
                Qcow2Writer.Write(new ContainerGuestDisk(input, layout), written, progress);
                break;
            default:
                SparseVmdkWriter.Write(new ContainerGuestDisk(input, layout), written, Path.GetFileName(output), progress);
                break;
        }

        RandomAccess.FlushToDisk(written);
    }
}
