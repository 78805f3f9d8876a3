using Microsoft.AspNetCore.Diagnostics;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.ImageFormats;
using OrleansDedup.Sql;

namespace OrleansDedup.Host.Api;

/// <summary>Errors as RFC 9457 ProblemDetails with one clear <c>detail</c> line; never a stack trace.</summary>
public static class Problems
{
    public static IResult Result(int status, string detail) =>
        TypedResults.Problem(detail: OneLine(detail), statusCode: status);

    public static int StatusOf(IngestErrorKind kind) => kind switch
    {
        IngestErrorKind.BadInput => StatusCodes.Status400BadRequest,
        IngestErrorKind.Conflict => StatusCodes.Status409Conflict,
        IngestErrorKind.Interrupted or IngestErrorKind.SiloLost => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult FromIngest(IngestErrorKind kind, string? message) =>
        Result(StatusOf(kind), message ?? "the ingest failed; see the silo log");

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>
/// Turns what escapes an endpoint into a ProblemDetails: an <see cref="IngestException"/> by its kind, a disk larger
/// than a format or the file system holds (<see cref="FormatLimitException"/>) as 422, a bad request
/// (e.g. a body over the upload limit) by its status, anything else as 500 with a generic line. The detail and the
/// exception go to the log.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        var (status, detail) = exception switch
        {
            IngestException e => (Problems.StatusOf(e.Kind), e.Message),
            FormatLimitException e => (StatusCodes.Status422UnprocessableEntity, e.Message),
            _ when DatabaseErrors.IsUnreachable(exception) => (StatusCodes.Status503ServiceUnavailable,
                $"cannot reach the catalog database ({DatabaseErrors.Reason(exception)}); retry once PostgreSQL is back"),
            BadHttpRequestException e => (e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "the request body is larger than this silo accepts"
                : $"bad request: {e.Message}"),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "the client went away"),
            _ => (StatusCodes.Status500InternalServerError, $"internal error ({exception.GetType().Name}); see the silo log"),
        };
        if (status >= 500) logger.LogError(exception, "{Method} {Path} failed: {Detail}", http.Request.Method, http.Request.Path, exception.Message);
        else logger.LogWarning("{Method} {Path} refused ({Status}): {Detail}", http.Request.Method, http.Request.Path, status, exception.Message);
        if (http.Response.HasStarted || http.RequestAborted.IsCancellationRequested) return true;
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Detail = Problems.OneLine(detail) },
        });
    }
}
