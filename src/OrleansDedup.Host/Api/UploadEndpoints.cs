using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Host.Hosting;

namespace OrleansDedup.Host.Api;

/// <summary>
/// <c>PUT /api/images/{name}/upload?strategy=adaptive</c>: for a client with no path the silos can read. The body is
/// streamed to <c>{DataDirectory}/uploads/{guid}</c> on the shared volume (at most MaxUploadBytes: 413 past it),
/// then ingested from there; the file is deleted when the ingest ends.
/// </summary>
public static class UploadEndpoints
{
    private const int BufferSize = 1 << 20;

    public static void Map(IEndpointRouteBuilder api) => api.MapPut("/images/{name}/upload", Upload);

    private static async Task<IResult> Upload(string name, string? strategy, bool? opaque, HttpContext http, IGrainFactory grains, SiloHostOptions options,
        ScratchDirectories scratch, UploadCleanup cleanup, ILogger<UploadCleanup> logger)
    {
        if (ImageNames.Problem(name) is { } bad) return Problems.Result(StatusCodes.Status400BadRequest, bad);
        if (!Strategies.TryParse(strategy, out var parsed))
            return Problems.Result(StatusCodes.Status400BadRequest, string.Format(Strategies.Unknown, strategy));
        var max = options.MaxUploadBytes;
        if (http.Request.ContentLength > max) return TooLarge(max);
        var grain = grains.GetGrain<IImageGrain>(name);
        if (await IngestEndpoints.RefuseIfBusyOrTaken(grain, name) is { } refused) return refused;

        // Kestrel's own limit for this request (its default of 30 MB is kept for every other endpoint).
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;
        var path = scratch.NewUpload();
        var handedOver = false;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long received = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous))
            {
                int n;
                while ((n = await http.Request.Body.ReadAsync(buffer.AsMemory(0, BufferSize), http.RequestAborted)) > 0)
                {
                    received += n;
                    if (received > max) return TooLarge(max);
                    await file.WriteAsync(buffer.AsMemory(0, n), http.RequestAborted);
                }
            }
            if (received == 0) return Problems.Result(StatusCodes.Status400BadRequest, "the upload is empty; send the image bytes as the request body");
            logger.LogInformation("Received {Bytes} bytes for {Image} into {Path}", received, name, path);

            var status = await grain.StartIngest(new IngestRequest(path, parsed, opaque == true));
            if (status.State == IngestState.Running)
            {
                cleanup.Track(name, path);
                handedOver = true;
            }
            return IngestEndpoints.Accepted(name, status);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(max);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!handedOver) ScratchDirectories.TryDelete(path, logger);
        }
    }

    private static IResult TooLarge(long max) => Problems.Result(StatusCodes.Status413PayloadTooLarge,
        $"the upload is larger than {max} bytes, the most this silo accepts ({SiloHostOptions.Section}__{nameof(SiloHostOptions.MaxUploadBytes)})");
}
