using System.Security.Cryptography;
using System.Text;
using OrleansDedup.Host.Api;
using OrleansDedup.Host.Configuration;

namespace OrleansDedup.Host.Security;

/// <summary>
/// Every state-changing call (any method but GET, HEAD and OPTIONS) must carry header <c>X-Api-Key</c> equal to the
/// configured key: 401 otherwise, and 503 for all of them while no key is configured. Applied to the whole API
/// group, so an endpoint added later is protected without anyone remembering to.
/// </summary>
public sealed class ApiKeyFilter(SiloHostOptions options, ILogger<ApiKeyFilter> logger) : IEndpointFilter
{
    public const string Header = "X-Api-Key";

    private readonly byte[]? _keyHash = options.HasApiKey ? Hash(options.ApiKey!) : null;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method))
            return next(context);
        if (_keyHash is null)
            return ValueTask.FromResult<object?>(Problems.Result(StatusCodes.Status503ServiceUnavailable,
                $"state-changing calls are disabled: no API key is configured; set {SiloHostOptions.Section}__{nameof(SiloHostOptions.ApiKey)} on the silo"));
        var given = http.Request.Headers[Header];
        if (given.Count != 1 || !Matches(given[0]))
        {
            logger.LogWarning("Refused {Method} {Path} from {Remote}: {Reason}", http.Request.Method, http.Request.Path,
                http.Connection.RemoteIpAddress, given.Count == 0 ? "no API key" : "wrong API key");
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{Header}\"";
            return ValueTask.FromResult<object?>(Problems.Result(StatusCodes.Status401Unauthorized,
                $"this call changes state and needs a valid {Header} header"));
        }
        return next(context);
    }

    /// <summary>Constant time in the key and in what was given: both are hashed to the same length first, so neither
    /// the content nor the length of the key leaks through timing.</summary>
    private bool Matches(string? given) => given is not null && CryptographicOperations.FixedTimeEquals(Hash(given), _keyHash);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
