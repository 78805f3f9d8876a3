using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansDedup.Host.Tests;

/// <summary>The real silo host, orleans-dedup-silo.dll from the test's output directory, run as a separate process on
/// free loopback ports with its configuration in environment variables.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public static readonly string Program = Path.Combine(AppContext.BaseDirectory, "orleans-dedup-silo.dll");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SiloProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>Starts the host with <paramref name="settings"/> (keys without the OrleansDedup__ prefix) on fresh ports
    /// and waits until /healthz answers 200.</summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var httpPort = FreePort();
        var info = StartInfo(settings, new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["OrleansDedup__SiloPort"] = FreePort().ToString(),
            ["OrleansDedup__GatewayPort"] = FreePort().ToString(),
        });
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = new Process { StartInfo = info };
        var silo = new SiloProcess(process, new Uri($"http://127.0.0.1:{httpPort}"));
        process.OutputDataReceived += (_, e) => silo.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo.WaitHealthy(TimeSpan.FromSeconds(60));
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

    private async Task WaitHealthy(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the silo exited with code {_process.ExitCode} before it was healthy:\n{Output}");
            try
            {
                using var response = await probe.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (clock.Elapsed > limit) throw new TimeoutException($"the silo was not healthy within {limit}:\n{Output}");
            await Task.Delay(200);
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 300) _output.TryDequeue(out _);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
