using OrleansDedup.Host.Configuration;

namespace OrleansDedup.Host.Api;

/// <summary><c>GET /healthz</c>: 200 while this silo is an active member of its cluster, 503 before and while it shuts
/// down (so a readiness probe takes it out of rotation first). No authentication.</summary>
public static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/healthz", (ISiloStatusOracle oracle, SiloHostOptions options) =>
    {
        var status = oracle.CurrentStatus;
        var active = status == SiloStatus.Active;
        var body = new
        {
            status = active ? "ok" : status.ToString().ToLowerInvariant(),
            silo = options.SiloName,
            siloAddress = oracle.SiloAddress.ToString(),
            clusterId = options.ClusterId,
        };
        return Results.Json(body, statusCode: active ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    });
}
