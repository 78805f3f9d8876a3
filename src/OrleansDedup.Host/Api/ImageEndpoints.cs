using Microsoft.Net.Http.Headers;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Host.Hosting;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.GuestDisks;

namespace OrleansDedup.Host.Api;

/// <summary>The images: list, info, content (a verified restore, streamed) and delete.</summary>
public static class ImageEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/images", List);
        api.MapGet("/images/{name}", Get);
        api.MapGet("/images/{name}/content", Content);
        api.MapDelete("/images/{name}", Delete);
    }

    private static async Task<IResult> List(IGrainFactory grains)
    {
        var names = await grains.GetGrain<ICatalogGrain>(0).List();
        var infos = await Task.WhenAll(names.Select(n => grains.GetGrain<IImageGrain>(n).GetInfo()));
        return Results.Ok(infos.OfType<ImageInfo>().Select(ImageResponse.From).ToArray());
    }

    private static async Task<IResult> Get(string name, IGrainFactory grains) =>
        await grains.GetGrain<IImageGrain>(name).GetInfo() is { } info ? Results.Ok(ImageResponse.From(info)) : NoSuchImage(name);

    /// <summary>Restores into a temporary file on the data volume (every chunk and the digest checked), then streams it;
    /// the file is deleted when the response ends, however it ends. With <c>?format=raw</c> (or qcow2, vmdk, vhd, vdi)
    /// the guest disk the image holds is written from that file into a second one, in that format, and streamed instead.
    /// A disk the format (or the silo's file system) cannot hold is 422 with one line, before any file is made.</summary>
    private static async Task<IResult> Content(string name, string? format, HttpContext http, IGrainFactory grains,
        ImageRestorer restorer, ScratchDirectories scratch, ILogger<ImageRestorer> logger)
    {
        if (!GuestDiskFormats.TryParseTarget(format, out var guest, out var unknown))
            return Problems.Result(StatusCodes.Status400BadRequest, unknown);
        var info = await grains.GetGrain<IImageGrain>(name).GetInfo();
        if (info is null) return NoSuchImage(name);
        var temp = scratch.NewRestore();
        var converted = guest is null ? temp : scratch.NewRestore();
        FileStream stream;
        try
        {
            if (guest is { } checkedFormat) GuestDiskExporter.CheckTarget(checkedFormat, info.Container?.VirtualSize ?? info.Size, converted);
            await restorer.Restore(name, temp, null, http.RequestAborted);
            if (guest is { } target)
            {
                // A client that goes away stops the export at its next block; the files go with it (below).
                await Task.Run(() => GuestDiskExporter.Export(temp, converted, target, flush: false, cancellation: http.RequestAborted), http.RequestAborted);
                ScratchDirectories.TryDelete(temp, logger);
            }
            stream = new FileStream(converted, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16,
                FileOptions.Asynchronous | FileOptions.SequentialScan | FileOptions.DeleteOnClose);
        }
        catch (IngestException e) when (e.Kind == IngestErrorKind.BadInput)
        {
            Clean();
            return NoSuchImage(name); // deleted while we were about to restore it
        }
        catch (Exception e) when (e is ImageFormatException or FormatLimitException)
        {
            Clean();
            var what = guest is { } asked ? $"the guest disk of '{name}' as {asked.Name()}" : $"'{name}'";
            return Problems.Result(StatusCodes.Status422UnprocessableEntity, $"cannot write {what}: {e.Message}");
        }
        catch
        {
            Clean();
            throw;
        }
        return guest is { } written
            ? Results.Stream(stream, "application/octet-stream", fileDownloadName: $"{name}.{written.Name()}")
            : Results.Stream(stream, "application/octet-stream", fileDownloadName: name, entityTag: new EntityTagHeaderValue($"\"{info.Digest}\""));

        void Clean()
        {
            ScratchDirectories.TryDelete(temp, logger);
            ScratchDirectories.TryDelete(converted, logger);
        }
    }

    private static async Task<IResult> Delete(string name, IGrainFactory grains) =>
        await grains.GetGrain<IImageGrain>(name).Delete() ? Results.NoContent() : NoSuchImage(name);

    public static IResult NoSuchImage(string name) =>
        Problems.Result(StatusCodes.Status404NotFound, $"there is no image named '{name}'");
}
