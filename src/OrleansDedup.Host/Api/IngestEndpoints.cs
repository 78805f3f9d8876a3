using System.Text.Json;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Grains.Images;
using OrleansDedup.Host.Security;

namespace OrleansDedup.Host.Api;

/// <summary>Ingest by path (only inside the configured image roots), its progress, and cancelling it.</summary>
public static class IngestEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/images/{name}/ingest", Start);
        api.MapGet("/images/{name}/ingest", async (string name, IGrainFactory grains) =>
            Results.Ok(IngestStatusResponse.From(name, await grains.GetGrain<IImageGrain>(name).GetIngestStatus())));
        api.MapDelete("/images/{name}/ingest", Cancel);
    }

    private static async Task<IResult> Start(string name, HttpRequest request, IGrainFactory grains, ImageRoots roots, ILogger<ImageRoots> logger)
    {
        if (ImageNames.Problem(name) is { } bad) return Problems.Result(StatusCodes.Status400BadRequest, bad);
        if (!request.HasJsonContentType())
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "send the body as application/json: {\"path\": \"...\", \"strategy\": \"adaptive\"}");
        IngestBody? body;
        try
        {
            body = await request.ReadFromJsonAsync<IngestBody>(request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, $"the body is not valid JSON ({e.Message}); send {{\"path\": \"...\", \"strategy\": \"adaptive\"}}");
        }
        if (body?.Path is not { Length: > 0 } path) return Problems.Result(StatusCodes.Status400BadRequest, "the body has no \"path\"");
        if (!Strategies.TryParse(body.Strategy, out var strategy))
            return Problems.Result(StatusCodes.Status400BadRequest, string.Format(Strategies.Unknown, body.Strategy));

        switch (roots.Check(path, out var resolved, out var root))
        {
            case ImageRoots.Verdict.NoRoots:
                logger.LogWarning("Refused ingest of {Image} from {Path}: no image roots are configured", name, path);
                return Problems.Result(StatusCodes.Status403Forbidden,
                    "ingest by path is disabled on this silo: no image roots are configured (OrleansDedup__ImageRoots__0); upload the image instead");
            case ImageRoots.Verdict.NotAbsolute:
                return Problems.Result(StatusCodes.Status400BadRequest, $"'{path}' is not an absolute path; give the full path of an image inside an image root");
            case ImageRoots.Verdict.Outside:
                logger.LogWarning("Refused ingest of {Image} from {Path}: outside the image roots", name, path);
                return Problems.Result(StatusCodes.Status403Forbidden, $"'{path}' is outside the image roots this silo may read");
        }

        var grain = grains.GetGrain<IImageGrain>(name);
        if (await RefuseIfBusyOrTaken(grain, name) is { } refused) return refused;
        // Opened beneath its root now, so that the grid reads this file or refuses (see SourceFile).
        var ingest = new IngestRequest(resolved, strategy, body.Opaque, root, SourceFile.TryIdentify(resolved, root));
        return Accepted(name, await grain.StartIngest(ingest));
    }

    private static async Task<IResult> Cancel(string name, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IImageGrain>(name);
        var status = await grain.GetIngestStatus();
        if (status.State != IngestState.Running)
            return Problems.Result(StatusCodes.Status409Conflict, $"no ingest of '{name}' is running (it is {status.State.ToString().ToLowerInvariant()})");
        await grain.CancelIngest();
        return Results.Accepted(StatusUri(name), IngestStatusResponse.From(name, await grain.GetIngestStatus()));
    }

    /// <summary>409 if the image exists or is being ingested. The grain checks again when the ingest starts; this
    /// early check keeps a second request from being answered with the first one's progress (and an upload from
    /// being received for nothing).</summary>
    public static async Task<IResult?> RefuseIfBusyOrTaken(IImageGrain grain, string name)
    {
        if ((await grain.GetIngestStatus()).State == IngestState.Running)
            return Problems.Result(StatusCodes.Status409Conflict, $"'{name}' is being ingested; wait for it or cancel it (DELETE {StatusUri(name)})");
        if (await grain.GetInfo() is not null)
            return Problems.Result(StatusCodes.Status409Conflict, $"an image named '{name}' already exists; delete it first or ingest under another name");
        return null;
    }

    /// <summary>202 with the status of a started ingest, or the error of one refused at once (400, 409, 500).</summary>
    public static IResult Accepted(string name, IngestStatus status) => status.State switch
    {
        IngestState.Failed => Problems.FromIngest(status.ErrorKind, status.Error),
        _ => Results.Accepted(StatusUri(name), IngestStatusResponse.From(name, status)),
    };

    public static string StatusUri(string name) => $"/api/images/{Uri.EscapeDataString(name)}/ingest";
}
