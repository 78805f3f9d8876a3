using System.Diagnostics;

namespace OrleansDedup.Host.Tests;

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
        var httpPort = FreePort();
        var silo = new SiloProcess(ChildProcess.Start(StartInfo(settings, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["OrleansDedup__SiloPort"] = FreePort().ToString(),
            ["OrleansDedup__GatewayPort"] = FreePort().ToString(),
        })), new Uri($"http://127.0.0.1:{httpPort}"));
        try
        {
            await silo._process.WaitUntilAnswers(silo.BaseAddress, "/healthz", TimeSpan.FromSeconds(60), "the silo");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>Runs the host to its exit (for configuration it must refuse); returns the exit code and stderr.</summary>
    public static async Task<(int ExitCode, string Error)> RunToExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        var info = StartInfo(settings, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}" });
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"the silo did not exit on bad configuration; output: {await output}");
        }
        await output;
        return (process.ExitCode, await error);
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> settings, Dictionary<string, string> extra)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        info.ArgumentList.Add(Program);
        // Nothing inherited may configure the silo under test.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OrleansDedup__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)).ToArray())
            info.Environment.Remove(key);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
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

    public static int FreePort() => ChildProcess.FreePort();
}
