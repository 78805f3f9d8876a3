using System.Text;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Scenario;

namespace OrleansDedup.Host.Api;

/// <summary>
/// The live-migration simulator over HTTP: hosts (capacity and chunk cache), a wave of migrations that share the hosts'
/// links, and <c>POST /api/simulate</c>, which runs a load-balancing scenario (YAML or JSON) and returns its report.
/// Every POST and PUT needs the API key (the group's filter): migrations move data, and a scenario costs CPU.
/// </summary>
public static class MigrationEndpoints
{
    /// <summary>A scenario file is a few hundred bytes; anything near this is not one.</summary>
    public const int MaxScenarioBytes = 64 << 10;

    /// <summary>hosts x VMs x steps: the scenario runner's work grows with it (the default scenario, 720 000, runs in about
    /// 1.5 s); a bound keeps one request from holding a silo's CPU for minutes.</summary>
    public const long MaxScenarioWork = 5_000_000;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPut("/hosts/{name}", Configure);
        api.MapGet("/hosts/{name}", async (string name, IGrainFactory grains) => Results.Ok(await grains.GetGrain<IHostGrain>(name).GetCacheStats()));
        api.MapPost("/migrations", Migrate);
        api.MapPost("/simulate", Simulate);
    }

    private static async Task<IResult> Configure(string name, HostBody body, IGrainFactory grains)
    {
        if (ImageNames.Problem(name) is { } bad) return Problems.Result(StatusCodes.Status400BadRequest, bad.Replace("image", "host"));
        var grain = grains.GetGrain<IHostGrain>(name);
        try
        {
            await grain.Configure(new HostCapacity(body.MipsPerCore, body.Cores, body.RamBytes, body.BandwidthBytesPerSecond));
        }
        catch (ArgumentException e)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, e.Message);
        }
        return Results.Ok(await grain.GetCacheStats());
    }

    /// <summary>Runs the body's migrations as one wave (they start together); 400 for a request the grid refuses (an
    /// unknown host, a VM twice), 400 too for an image that does not exist (the grid's bad-input error).</summary>
    private static async Task<IResult> Migrate(WaveBody body, IGrainFactory grains)
    {
        if (body.Migrations is not { Length: > 0 } migrations) return Problems.Result(StatusCodes.Status400BadRequest, "the body has no \"migrations\"");
        try
        {
            return Results.Ok(await grains.GetGrain<IMigrationWaveGrain>(0).Migrate(migrations.Select(m => m.ToRequest()).ToArray()));
        }
        catch (ArgumentException e)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    /// <summary>The body is the scenario file: JSON with a JSON content type, else YAML. The report leaves out the
    /// per-migration details (thousands of rows) and keeps, per strategy, what the CLI's table shows.</summary>
    private static async Task<IResult> Simulate(HttpRequest request)
    {
        if (request.ContentLength > MaxScenarioBytes) return TooLarge();
        var buffer = new byte[MaxScenarioBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0) length += read;
        if (length > MaxScenarioBytes) return TooLarge();
        ScenarioSpec spec;
        try
        {
            spec = ScenarioSpec.Parse(Encoding.UTF8.GetString(buffer, 0, length), request.HasJsonContentType() ? "scenario.json" : "scenario.yaml");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, e.Message);
        }
        if (spec.Images.Count > 0)
        {
            return Problems.Result(StatusCodes.Status400BadRequest,
                "a scenario sent over HTTP cannot name images: measuring them ingests files, which `orleans-dedup simulate` does in scratch stores");
        }

        if ((long)spec.Hosts * spec.Vms * spec.Steps > MaxScenarioWork)
        {
            return Problems.Result(StatusCodes.Status400BadRequest,
                $"the scenario is too large for the HTTP API: hosts x vms x steps must be at most {MaxScenarioWork:N0}; run `orleans-dedup simulate` instead");
        }

        return Results.Ok(ScenarioRunner.Run(spec));
    }

    private static IResult TooLarge() =>
        Problems.Result(StatusCodes.Status413PayloadTooLarge, $"a scenario is at most {MaxScenarioBytes / 1024} KiB");
}

/// <summary>Body of PUT /api/hosts/{name}: the host's capacity.</summary>
public sealed record HostBody(double MipsPerCore, int Cores, long RamBytes, double BandwidthBytesPerSecond);

/// <summary>Body of POST /api/migrations.</summary>
public sealed record WaveBody(MigrationBody[]? Migrations);

/// <summary>One migration: the VM, both hosts, its RAM, disks (image names) and an optional memory snapshot; a constant
/// dirty rate in bytes per second (0: an idle guest) and a disk write rate; the remaining knobs as in the grid's request.</summary>
public sealed record MigrationBody(
    string Vm, string Source, string Destination, long RamBytes, string[]? Disks = null, string? MemorySnapshot = null,
    double DirtyBytesPerSecond = 0, bool SharedStorage = false, bool PostCopy = false, double BandwidthShare = 0.5,
    double DowntimeLimitSeconds = 0.3, long DeviceStateBytes = 0, double DiskWriteBytesPerSecond = 0)
{
    public VmMigrationRequest ToRequest() => new(Vm, Source, Destination, RamBytes,
        DirtyBytesPerSecond > 0 ? new DirtyModelSpec(DirtyModelKind.Constant, DirtyBytesPerSecond) : DirtyModelSpec.None,
        Disks ?? [], MemorySnapshot, SharedStorage, PostCopy, BandwidthShare, DowntimeLimitSeconds, DeviceStateBytes: DeviceStateBytes,
        DiskWriteBytesPerSecond: DiskWriteBytesPerSecond);
}
