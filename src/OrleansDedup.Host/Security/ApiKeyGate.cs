using OrleansDedup.Host.Api;
using OrleansDedup.Host.Configuration;

namespace OrleansDedup.Host.Security;

/// <summary>
/// Every endpoint marked with <see cref="RequireApiKey"/> (the whole API group, so an endpoint added later is protected
/// without anyone remembering to) needs header <c>X-Api-Key</c>: GET, HEAD and OPTIONS the read-only or the read-write
/// key, every other method (state-changing) the read-write key. No or a wrong key is 401, the read-only key on a
/// state-changing call 403, and 503 while no key that could allow the call is configured. A middleware rather than an
/// endpoint filter: filters run after the body is bound, and an anonymous client must not get that far.
/// </summary>
public sealed class ApiKeyGate(RequestDelegate next, ApiKeys keys, ILogger<ApiKeyGate> logger)
{
    public const string Header = "X-Api-Key";

    public static string WriteKeySetting => $"{SiloHostOptions.Section}__{nameof(SiloHostOptions.ApiKey)}";

    public static string ReadKeySetting => $"{SiloHostOptions.Section}__{nameof(SiloHostOptions.ReadOnlyApiKey)}";

    /// <summary>Endpoint metadata: the endpoint needs a key.</summary>
    public sealed class Required;

    public static RouteGroupBuilder RequireApiKey(RouteGroupBuilder group) => group.WithMetadata(new Required());

    /// <summary>Adds the gate after routing (so it sees the endpoint) and before the endpoint runs.</summary>
    public static void Use(WebApplication app) => app.UseMiddleware<ApiKeyGate>();

    public Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<Required>() is null) return next(http);
        var method = http.Request.Method;
        var needed = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ? ApiAccess.Read : ApiAccess.Write;
        if (!keys.Any)
        {
            return Refuse(http, StatusCodes.Status503ServiceUnavailable,
                $"the API is disabled: no API key is configured; set {WriteKeySetting} (and {ReadKeySetting} for read-only clients) on the silo");
        }

        if (needed == ApiAccess.Write && !keys.HasWrite)
        {
            return Refuse(http, StatusCodes.Status503ServiceUnavailable,
                $"state-changing calls are disabled: no read-write API key is configured; set {WriteKeySetting} on the silo");
        }

        var given = http.Request.Headers[Header];
        var granted = given.Count == 1 ? keys.Grant(given[0]) : ApiAccess.None;
        if (granted == ApiAccess.None)
        {
            logger.LogWarning("Refused {Method} {Path} from {Remote}: {Reason}", method, http.Request.Path,
                http.Connection.RemoteIpAddress, given.Count == 0 ? "no API key" : "wrong API key");
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{Header}\"";
            return Refuse(http, StatusCodes.Status401Unauthorized, $"this call needs a valid {Header} header");
        }
        if (granted < needed)
        {
            logger.LogWarning("Refused {Method} {Path} from {Remote}: the read-only API key on a state-changing call", method,
                http.Request.Path, http.Connection.RemoteIpAddress);
            return Refuse(http, StatusCodes.Status403Forbidden, $"this call changes state and needs the read-write key; {Header} holds the read-only key");
        }
        return next(http);
    }

    private static Task Refuse(HttpContext http, int status, string detail) => Problems.Result(status, detail).ExecuteAsync(http);
}
