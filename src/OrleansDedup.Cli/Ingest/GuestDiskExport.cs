using OrleansDedup.Abstractions.Images;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Cli.Ingest;

/// <summary>
/// Restores an image's guest disk as raw or in any of the container formats: the container is restored (and checked)
/// into a temporary file beside the output, then <see cref="GuestDiskExporter"/> writes the guest disk from it. That
/// costs the container's size in extra disk space and one more read of its data (its zero runs stay holes, which the
/// export skips), but keeps restore's digest check and needs no second layout record in the store. Progress counts
/// both passes: the container's bytes, then the guest's.
/// </summary>
public static class GuestDiskExport
{
    /// <summary>The bytes <see cref="ToFile"/> reports in all, for a progress bar.</summary>
    public static long ProgressTotal(ImageInfo info) =>
        info.Size + GuestDiskExporter.ProgressBytes(info.Container is { } c ? c.GuestDataBytes + c.CompressedGuestBytes : info.Size);

    /// <summary>The disk size the target format must hold, as the catalog records it.</summary>
    public static long VirtualSize(ImageInfo info) => info.Container?.VirtualSize ?? info.Size;

    /// <exception cref="UserError">Exit 3: the format, or the file system, cannot hold the disk; or its tables are bad.</exception>
    public static async Task<ImageInfo> ToFile(IClusterClient client, ImageInfo info, string path, ImageFormat format,
        Action<long> progress, CancellationToken cancellation)
    {
        var container = path + ".container";
        var partial = path + ".partial";
        try
        {
            GuestDiskExporter.CheckTarget(format, VirtualSize(info), partial);
            await ImageDownload.ToFile(client, info, container, progress, cancellation);
            // Off the caller's thread, so that a stop signal is seen while the export runs; the export itself stops
            // at its next block once cancelled.
            await Task.Run(() => GuestDiskExporter.Export(container, partial, format, progress, cancellation: cancellation), cancellation);
            DurableFile.Publish(partial, path);
            return info;
        }
        catch (Exception e) when (e is ImageFormatException or FormatLimitException)
        {
            throw new UserError($"cannot write the guest disk of '{info.Name}' as {format.Name()}: {e.Message}", ExitCodes.BadInput);
        }
        finally
        {
            File.Delete(container);
            File.Delete(partial);
        }
    }
}
