using OrleansDedup.Abstractions.Images;
using OrleansDedup.ImageFormats;

namespace OrleansDedup.Cli.Ingest;

/// <summary>The container formats `restore --format` writes itself, from the guest disk.</summary>
public enum GuestDiskFormat
{
    Raw,

    /// <summary>A fixed VHD: the raw disk and a footer.</summary>
    Vhd,

    /// <summary>A dynamic VDI: only the 1 MiB blocks that hold data.</summary>
    Vdi,

    /// <summary>A qcow2 version 3 image: only the 64 KiB clusters that hold data.</summary>
    Qcow2,

    /// <summary>A monolithicSparse VMDK: only the 64 KiB grains that hold data.</summary>
    Vmdk,
}

/// <summary>
/// Restores an image's guest disk as raw or in any of the container formats: the container is restored (and checked)
/// into a temporary file beside the output, its layout read, and its guest regions written at their guest offsets (for
/// VDI, qcow2 and VMDK into a second, sparse temporary file that is then packed into blocks). That costs the container's size
/// in extra disk space and one more write and read of it, but keeps restore's digest check and needs no second layout
/// record in the store. Progress counts every pass: the container's bytes, its guest regions', then the disk's if packed.
/// </summary>
public static class GuestDiskExport
{
    /// <summary>The bytes <see cref="ToFile"/> reports in all, for a progress bar.</summary>
    public static long ProgressTotal(ImageInfo info, GuestDiskFormat format) =>
        info.Size + (info.Container is { } c ? c.GuestDataBytes + c.CompressedGuestBytes : info.Size)
        + (Packed(format) ? info.Container?.VirtualSize ?? info.Size : 0);

    /// <summary>Formats written from a complete raw disk in a second pass.</summary>
    private static bool Packed(GuestDiskFormat format) => format is GuestDiskFormat.Vdi or GuestDiskFormat.Qcow2 or GuestDiskFormat.Vmdk;

    public static async Task<ImageInfo> ToFile(IClusterClient client, ImageInfo info, string path, GuestDiskFormat format,
        Action<long> progress, CancellationToken cancellation)
    {
        var container = path + ".container";
        var raw = path + ".raw-guest";
        var partial = path + ".partial";
        try
        {
            await ImageDownload.ToFile(client, info, container, progress, cancellation);
            using (var input = File.OpenHandle(container))
            using (var output = File.OpenHandle(Packed(format) ? raw : partial, FileMode.Create, FileAccess.ReadWrite))
            {
                try
                {
                    var layout = ImageLayoutReader.Read(input, RandomAccess.GetLength(input));
                    GuestDiskWriter.WriteRaw(input, layout, output, progress);
                    if (format == GuestDiskFormat.Vhd) FixedVhdWriter.AppendFooter(output, layout.VirtualSize, Guid.NewGuid(), DateTimeOffset.UtcNow);
                    if (Packed(format))
                    {
                        using var packed = File.OpenHandle(partial, FileMode.Create, FileAccess.ReadWrite);
                        switch (format)
                        {
                            case GuestDiskFormat.Vdi: DynamicVdiWriter.Write(output, layout.VirtualSize, packed, Guid.NewGuid(), progress); break;
                            case GuestDiskFormat.Qcow2: Qcow2Writer.Write(output, layout.VirtualSize, packed, progress); break;
                            default: SparseVmdkWriter.Write(output, layout.VirtualSize, packed, Path.GetFileName(path), progress); break;
                        }
                        RandomAccess.FlushToDisk(packed);
                    }
                }
                catch (ImageFormatException e)
                {
                    throw new UserError($"cannot write the guest disk of '{info.Name}': {e.Message}", ExitCodes.BadInput);
                }
                if (!Packed(format)) RandomAccess.FlushToDisk(output);
            }
            File.Move(partial, path, overwrite: true);
            return info;
        }
        finally
        {
            File.Delete(container);
            File.Delete(raw);
            File.Delete(partial);
        }
    }
}
