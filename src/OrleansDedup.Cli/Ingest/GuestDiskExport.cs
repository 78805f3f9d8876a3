using OrleansDedup.Abstractions.Images;
using OrleansDedup.ImageFormats;

namespace OrleansDedup.Cli.Ingest;

/// <summary>
/// Restores an image's guest disk as raw or in any of the container formats: the container is restored (and checked)
/// into a temporary file beside the output, then <see cref="GuestDiskExporter"/> writes the guest disk from it. That
/// costs the container's size in extra disk space and one more read of it, but keeps restore's digest check and needs
/// no second layout record in the store. Progress counts both passes: the container's bytes, then the guest's.
/// </summary>
public static class GuestDiskExport
{
    /// <summary>The bytes <see cref="ToFile"/> reports in all, for a progress bar.</summary>
    public static long ProgressTotal(ImageInfo info, ImageFormat format) => info.Size + GuestDiskExporter.ProgressBytes(format,
        info.Container?.VirtualSize ?? info.Size, info.Container is { } c ? c.GuestDataBytes + c.CompressedGuestBytes : info.Size);

    public static async Task<ImageInfo> ToFile(IClusterClient client, ImageInfo info, string path, ImageFormat format,
        Action<long> progress, CancellationToken cancellation)
    {
        var container = path + ".container";
        var partial = path + ".partial";
        try
        {
            await ImageDownload.ToFile(client, info, container, progress, cancellation);
            try
            {
                GuestDiskExporter.Export(container, partial, format, progress);
            }
            catch (ImageFormatException e)
            {
                throw new UserError($"cannot write the guest disk of '{info.Name}': {e.Message}", ExitCodes.BadInput);
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
