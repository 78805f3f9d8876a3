namespace OrleansDedup.Testing.Processes;

/// <summary>The real silo host, orleans-dedup-silo.dll from the test's output directory, run as a separate process on
/// free loopback ports with its configuration in environment variables.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public static readonly string Program = Path.Combine(AppContext.BaseDirectory, "orleans-dedup-silo.dll");

    private readonly ChildProcess _process;

    private SiloProcess(ChildProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Output => _process.Output;

    /// <summary>Starts the host with <paramref name="settings"/> (keys without the OrleansDedup__ prefix) on fresh ports
    /// and waits until /healthz answers 200.</summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var httpPort = LoopbackPorts.Next();
        var address = new Uri($"http://127.0.0.1:{httpPort}");
        var info = StartInfo(settings, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["OrleansDedup__SiloPort"] = LoopbackPorts.Next().ToString(),
            ["OrleansDedup__GatewayPort"] = LoopbackPorts.Next().ToString(),
        });
        return new SiloProcess(await ChildProcess.StartReadyAsync(info, address, "/healthz", TimeSpan.FromSeconds(60), "the silo"), address);
    }

    /// <summary>Runs the host to its exit (for configuration it must refuse); returns the exit code and stderr.</summary>
    public static async Task<(int ExitCode, string Error)> RunToExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        var info = StartInfo(settings, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Next()}" });
        var result = await ProcessRun.RunAsync(info, TimeSpan.FromSeconds(30));
        if (result.TimedOut) throw new TimeoutException($"the silo did not exit on bad configuration; output: {result.Out}");
        return (result.ExitCode, result.Error);
    }

    private static System.Diagnostics.ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> settings, Dictionary<string, string> extra)
    {
        var info = DotnetProgram.StartInfo(Program);
        info.Environment["DOTNET_gcServer"] = "0"; // several silos share a 2-core test machine
        info.Environment["OrleansDedup__Clustering"] = "localhost";
        foreach (var (key, value) in extra) info.Environment[key] = value;
        foreach (var (key, value) in settings) info.Environment[$"OrleansDedup__{key}"] = value;
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }
}
