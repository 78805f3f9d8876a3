using System.Net.Http.Headers;
using System.Text;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Dashboard;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Host.Api;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Host.Security;

namespace OrleansDedup.Host.Hosting;

/// <summary>
/// Metrics and the Orleans Dashboard. Every silo host serves Prometheus metrics at <see cref="MetricsPath"/>
/// (unauthenticated, like <c>/healthz</c>; an operator may guard it at the network): the grid's own meter <see cref="DedupMetrics.MeterName"/>, Orleans' meter and the
/// .NET runtime's. The Orleans Dashboard is off unless <c>OrleansDedup__Dashboard=true</c>; then it is served at
/// <see cref="DashboardPath"/> and every request to it needs an API key, read-only or read-write (the dashboard only shows):
/// header <c>X-Api-Key</c>, or HTTP Basic authentication with the key as password (any user name), which a browser asks
/// for by itself.
/// </summary>
public static class Observability
{
    public const string ServiceName = "orleans-dedup-silo";
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";
    public const string DashboardKey = SiloHostOptions.Section + ":Dashboard";
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Whether configuration turns the dashboard on (<c>OrleansDedup__Dashboard=true</c>; default off).</summary>
    public static bool DashboardEnabled(IConfiguration configuration) => configuration.GetValue<bool>(DashboardKey);

    public static void AddMetrics(WebApplicationBuilder builder, SiloHostOptions options) =>
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: options.SiloName))
            .WithMetrics(m => m
                .AddMeter(DedupMetrics.MeterName, OrleansMeter)
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

    /// <summary>Adds the dashboard's grains and services to the silo when configuration turns it on.</summary>
    public static void AddDashboard(ISiloBuilder silo, IConfiguration configuration)
    {
        if (DashboardEnabled(configuration)) silo.AddDashboard();
    }

    public static void Map(WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (!DashboardEnabled(app.Configuration)) return;
        var keys = app.Services.GetRequiredService<ApiKeys>();
        // A middleware, not an endpoint filter: it guards whatever the dashboard maps under its prefix, static files included.
        app.UseWhen(c => c.Request.Path.StartsWithSegments(DashboardPath), branch => branch.Use(async (context, next) =>
        {
            if (!keys.Any)
            {
                await Problems.Result(StatusCodes.Status503ServiceUnavailable,
                    $"the dashboard is disabled: no API key is configured; set {ApiKeyGate.WriteKeySetting} or {ApiKeyGate.ReadKeySetting} on the silo").ExecuteAsync(context);
                return;
            }
            if (Granted(context.Request, keys) == ApiAccess.None)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"orleans-dedup dashboard (password: an API key)\", charset=\"UTF-8\"";
                await Problems.Result(StatusCodes.Status401Unauthorized,
                    $"the dashboard needs an API key: header {ApiKeyGate.Header}, or Basic authentication with the key as password").ExecuteAsync(context);
                return;
            }
            await next(context);
        }));
        app.MapOrleansDashboard(DashboardPath);
    }

    private static ApiAccess Granted(HttpRequest request, ApiKeys keys)
    {
        var header = request.Headers[ApiKeyGate.Header];
        if (header.Count == 1) return keys.Grant(header[0]);
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var auth)
            || !string.Equals(auth.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || auth.Parameter is null)
        {
            return ApiAccess.None;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(auth.Parameter));
        }
        catch (FormatException)
        {
            return ApiAccess.None;
        }
        var colon = credentials.IndexOf(':');
        return colon >= 0 ? keys.Grant(credentials[(colon + 1)..]) : ApiAccess.None;
    }
}
