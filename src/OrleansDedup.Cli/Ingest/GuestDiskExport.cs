using OrleansDedup.Abstractions.Images;
using OrleansDedup.ImageFormats;

namespace OrleansDedup.Cli.Ingest;

/// <summary>The container formats `restore --format` writes itself, from the guest disk.</summary>
public enum GuestDiskFormat
{
    Raw,

    /// <summary>A fixed VHD: the raw disk and a footer.</summary>
    Vhd,
}

/// <summary>
/// Restores an image's guest disk as raw or as a fixed VHD: the container is restored (and checked) into a temporary
/// file beside the output, its layout read, and its guest regions written at their guest offsets. That costs the
/// container's size in extra disk space and one more write and read of it, but keeps restore's digest check and needs
/// no second layout record in the store. Progress counts both passes: the container's bytes, then its guest regions'.
/// </summary>
public static class GuestDiskExport
{
    /// <summary>The bytes <see cref="ToFile"/> reports in all, for a progress bar.</summary>
    public static long ProgressTotal(ImageInfo info) =>
        info.Size + (info.Container is { } c ? c.GuestDataBytes + c.CompressedGuestBytes : info.Size);

    public static async Task<ImageInfo> ToFile(IClusterClient client, ImageInfo info, string path, GuestDiskFormat format,
        Action<long> progress, CancellationToken cancellation)
    {
        var container = path + ".container";
        var partial = path + ".partial";
        try
        {
            await ImageDownload.ToFile(client, info, container, progress, cancellation);
            using (var input = File.OpenHandle(container))
            using (var output = File.OpenHandle(partial, FileMode.Create, FileAccess.ReadWrite))
            {
                try
                {
                    var layout = ImageLayoutReader.Read(input, RandomAccess.GetLength(input));
                    GuestDiskWriter.WriteRaw(input, layout, output, progress);
                    if (format == GuestDiskFormat.Vhd) FixedVhdWriter.AppendFooter(output, layout.VirtualSize, Guid.NewGuid(), DateTimeOffset.UtcNow);
                }
                catch (ImageFormatException e)
                {
                    throw new UserError($"cannot write the guest disk of '{info.Name}': {e.Message}", ExitCodes.BadInput);
                }
                RandomAccess.FlushToDisk(output);
            }
            File.Move(partial, path, overwrite: true);
            return info;
        }
        finally
        {
            File.Delete(container);
            File.Delete(partial);
        }
    }
}
