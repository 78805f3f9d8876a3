namespace OrleansDedup.ImageFormats;

/// <summary>
/// Writes the guest disk a container file holds, in any <see cref="GuestDiskFormat"/>: its layout is read, its guest
/// regions written at their guest offsets, and for the packed formats that raw disk (a sparse temporary file beside the
/// output) is then packed into blocks. Progress counts the guest regions' bytes, then the disk's if packed.
/// </summary>
public static class GuestDiskExporter
{
    /// <exception cref="ImageFormatException">The container's tables are bad.</exception>
    public static void Export(string container, string output, GuestDiskFormat format, Action<long>? progress = null)
    {
        var raw = format.IsPacked() ? output + ".raw-guest" : output;
        try
        {
            using var input = File.OpenHandle(container);
            using var disk = File.OpenHandle(raw, FileMode.Create, FileAccess.ReadWrite);
            var layout = ImageLayoutReader.Read(input, RandomAccess.GetLength(input));
            GuestDiskWriter.WriteRaw(input, layout, disk, progress);
            if (format == GuestDiskFormat.Vhd) FixedVhdWriter.AppendFooter(disk, layout.VirtualSize, Guid.NewGuid(), DateTimeOffset.UtcNow);
            if (!format.IsPacked())
            {
                RandomAccess.FlushToDisk(disk);
                return;
            }

            using var packed = File.OpenHandle(output, FileMode.Create, FileAccess.ReadWrite);
            switch (format)
            {
                case GuestDiskFormat.Vdi: DynamicVdiWriter.Write(disk, layout.VirtualSize, packed, Guid.NewGuid(), progress); break;
                case GuestDiskFormat.Qcow2: Qcow2Writer.Write(disk, layout.VirtualSize, packed, progress); break;
                default: SparseVmdkWriter.Write(disk, layout.VirtualSize, packed, Path.GetFileName(output), progress); break;
            }

            RandomAccess.FlushToDisk(packed);
        }
        finally
        {
            if (format.IsPacked()) File.Delete(raw);
        }
    }
}
