using System.Net;
using Orleans.Configuration;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Host.Api;
using OrleansDedup.Host.Clustering;
using OrleansDedup.Host.Configuration;
using OrleansDedup.Host.Security;
using OrleansDedup.Migration.Grains;
using OrleansDedup.Sql;
using OrleansDedup.Tls;

namespace OrleansDedup.Host.Hosting;

/// <summary>
/// Builds and runs the silo host. Exit codes: 0 after a clean shutdown, 1 when the silo failed at or after start
/// (e.g. a port in use), 2 for configuration it cannot start with. Errors before the host runs are one line on stderr.
/// </summary>
public static class SiloHost
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitBadConfiguration = 2;

    /// <summary>How long a graceful stop (SIGTERM) may take: the silo hands its grains off and the index shards flush.
    /// A Kubernetes pod's terminationGracePeriodSeconds must exceed it (e.g. 45 s), or the kubelet kills the silo midway.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>HTTP port when nothing (ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints) says otherwise.</summary>
    public const int DefaultHttpPort = 8080;

    public static async Task<int> RunAsync(string[] args)
    {
        // The content root is where the program is, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        SiloHostOptions options;
        IPAddress advertised;
        NodeCredentials? tls;
        try
        {
            options = SiloHostOptions.Load(builder.Configuration);
            advertised = options.AdvertisedAddress();
            tls = SiloTls.Load(options);
        }
        catch (ConfigurationError e)
        {
            return Fail($"bad configuration: {e.Message}", ExitBadConfiguration);
        }

        FileStream storeLock;
        try
        {
            Directory.CreateDirectory(options.DataDirectory);
            storeLock = StoreLock.Shared(options.DataDirectory);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail($"bad configuration: the data directory {options.DataDirectory} is not writable ({e.Message})", ExitBadConfiguration);
        }
        catch (IOException e)
        {
            return Fail(e.Message, ExitFailed);
        }

        await using var _ = storeLock;
        WebApplication app;
        try
        {
            Configure(builder, options, advertised, tls);
            app = builder.Build();
            // Read once here, the grid's options are bound, reconciled with the store and validated before anything
            // listens: the silo's own check at start would end as a failed start (exit 1), not as bad configuration.
            DedupConfiguration.Resolve(app.Services);
        }
        catch (Exception e) when (e is ConfigurationError or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // From the grid: settings it refuses, or a store made with other settings than these.
            return Fail($"bad configuration: {e.Message}", ExitBadConfiguration);
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansDedup.Host");
        if (options.IsPostgreSql)
        {
            try
            {
                await PostgreSqlClustering.EnsureSchemaAsync(options.ConnectionString!, app.Lifetime.ApplicationStopping);
            }
            catch (DatabaseUnavailableException e)
            {
                return Fail(e.Message, ExitFailed);
            }
            catch (Exception e) when (e is ArgumentException or Npgsql.PostgresException or Npgsql.NpgsqlException)
            {
                // A malformed connection string, a wrong password, a missing database: not worth retrying.
                logger.LogError(e, "Could not prepare the PostgreSQL schema");
                return Fail($"cannot prepare the PostgreSQL schema: {e.Message}", e is ArgumentException ? ExitBadConfiguration : ExitFailed);
            }
        }
        app.Services.GetRequiredService<ScratchDirectories>().Prepare(logger);
        Map(app);
        LogTransport(logger, options, advertised, tls);
        LogApiKeys(logger, options);
        try
        {
            await app.RunAsync();
            return ExitOk;
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "The silo host failed");
            return Fail($"the silo failed: {e.Message}", ExitFailed);
        }
    }

    private static void Configure(WebApplicationBuilder builder, SiloHostOptions options, IPAddress advertised, NodeCredentials? tls)
    {
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        var urls = builder.Configuration;
        if (string.IsNullOrEmpty(urls["urls"]) && string.IsNullOrEmpty(urls["http_ports"]) && string.IsNullOrEmpty(urls["https_ports"])
            && !urls.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls($"http://*:{DefaultHttpPort}");
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.WriteIndented = false);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Detail ??= $"{c.HttpContext.Request.Method} {c.HttpContext.Request.Path}: {c.ProblemDetails.Title ?? "error"}");
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton(new ImageRoots(options.ImageRoots));
        builder.Services.AddSingleton(new ScratchDirectories(options.DataDirectory));
        builder.Services.AddSingleton<UploadCleanup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UploadCleanup>());
        Observability.AddMetrics(builder, options);

        builder.UseOrleans(silo =>
        {
            if (options.IsPostgreSql)
            {
                silo.UsePostgreSqlClustering(options, advertised);
            }
            else
            {
                if (!string.IsNullOrWhiteSpace(options.AdvertisedIPAddress) || !string.IsNullOrWhiteSpace(options.ListenIPAddress))
                    Console.Error.WriteLine("warning: AdvertisedIPAddress and ListenIPAddress are ignored with clustering 'localhost' (the silo listens on loopback)");
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, null, options.ServiceId, options.ClusterId);
            }
            if (tls is not null) silo.UseMutualTls(tls);
            silo.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
            // Failure detection can be tuned (tests shorten it) under Orleans:Membership, e.g. Orleans__Membership__ProbeTimeout.
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
            // After a crash the directory holds the dead silo's grains for a lease before it lets them activate elsewhere,
            // in case the silo was only cut off; OrleansDedup__GrainDirectory__RangeLeaseDuration tunes it (the Orleans:GrainDirectory
            // section names directory providers).
            silo.Configure<GrainDirectoryOptions>(builder.Configuration.GetSection("OrleansDedup:GrainDirectory"));
            silo.AddDedupGrid(dedup => DedupConfiguration.Bind(dedup, builder.Configuration, options));
            // The hosts this silo models come from Orleans:Metadata (Orleans__Metadata__orleans-dedup.hosts=host-1,host-2).
            silo.AddDedupMigration();
            Observability.AddDashboard(silo, builder.Configuration);
        });
    }

    private static void LogTransport(ILogger logger, SiloHostOptions options, IPAddress advertised, NodeCredentials? tls)
    {
        var listen = options.IsPostgreSql ? options.ListenAddress(advertised) : IPAddress.Loopback;
        if (tls is not null)
        {
            logger.LogInformation("Silo port {SiloPort} and gateway port {GatewayPort} listen on {Listen} with mutual TLS: {Credentials}",
                options.SiloPort, options.GatewayPort, listen, tls.Describe());
        }
        else if (!options.IsPostgreSql)
        {
            logger.LogInformation("Silo port {SiloPort} and gateway port {GatewayPort} listen on loopback without TLS (clustering 'localhost')",
                options.SiloPort, options.GatewayPort);
        }
        else
        {
            logger.LogWarning("Silo port {SiloPort} and gateway port {GatewayPort} listen on {Listen} WITHOUT TLS: whoever reaches them controls the grid",
                options.SiloPort, options.GatewayPort, listen);
        }
    }

    private static void LogApiKeys(ILogger logger, SiloHostOptions options)
    {
        if (!options.HasApiKey && !options.HasReadOnlyApiKey)
        {
            logger.LogWarning("No API key is configured: every /api call is refused (503) until {WriteKey} (read-write) or {ReadKey} (read-only) is set; /healthz and /metrics stay open",
                ApiKeyGate.WriteKeySetting, ApiKeyGate.ReadKeySetting);
        }
        else if (!options.HasApiKey)
        {
            logger.LogWarning("No read-write API key is configured: reads need {ReadKey}, and state-changing calls are refused (503) until {WriteKey} is set",
                ApiKeyGate.ReadKeySetting, ApiKeyGate.WriteKeySetting);
        }
    }

    private static void Map(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        HealthEndpoints.Map(app);
        Observability.Map(app);
        ApiKeyGate.Use(app);
        var api = ApiKeyGate.RequireApiKey(app.MapGroup("/api"));
        ImageEndpoints.Map(api);
        IngestEndpoints.Map(api);
        UploadEndpoints.Map(api);
        StoreEndpoints.Map(api);
        MigrationEndpoints.Map(api);
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {Problems.OneLine(message)}");
        return code;
    }
}
