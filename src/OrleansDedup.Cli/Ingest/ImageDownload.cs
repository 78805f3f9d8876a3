using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Cli.Ingest;

/// <summary>Restores an image through the grid into a local file: the same path whether the silo is in this process
/// or in a cluster whose store this machine cannot see.</summary>
public static class ImageDownload
{
    /// <exception cref="UserError">Exit 3: the file system cannot hold a file the image's size.</exception>
    public static async Task<ImageInfo> ToFile(IClusterClient client, ImageInfo info, string path, Action<long> progress, CancellationToken cancellation)
    {
        var partial = path + ".partial";
        try
        {
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                // Sized first, as a hole: a file system that cannot hold the image refuses before anything is read.
                SetLength(output, info.Size, path, info.Name);
                var position = 0L;
                var chunks = client.GetGrain<IStoreOperationsGrain>(Random.Shared.NextInt64()).Restore(info.Name).WithBatchSize(RestoreChunk.PerMessage);
                await foreach (var chunk in chunks.WithCancellation(cancellation))
                {
                    output.Position = chunk.Offset;
                    output.Write(chunk.Data);
                    progress(chunk.Offset + chunk.Data.Length - position);
                    position = chunk.Offset + chunk.Data.Length;
                }
                output.SetLength(info.Size);
            }
            // Only a complete, checked sequence makes the file appear under its name.
            DurableFile.Publish(partial, path);
            return info;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private static void SetLength(FileStream output, long length, string path, string image)
    {
        try
        {
            GuestDiskLimits.SetLength(output.SafeFileHandle, length, path);
        }
        catch (FormatLimitException e)
        {
            throw CannotHold(image, e);
        }
    }

    /// <summary>Exit 3: the output's file system cannot hold a file the image's size.</summary>
    public static UserError CannotHold(string image, FormatLimitException e) => new($"cannot restore '{image}': {e.Message}", ExitCodes.BadInput);
}
