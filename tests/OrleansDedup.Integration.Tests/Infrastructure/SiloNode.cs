using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>
/// One real silo: <c>dotnet orleans-dedup-silo.dll</c> from the test's output directory, a separate process with its
/// configuration in environment variables, on its own loopback ports. Its output goes to a log file (kept when
/// ORLEANS_DEDUP_IT_KEEP=1) and the last lines are kept in memory for assertion messages.
/// </summary>
public sealed class SiloNode : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private SiloNode(string name, int httpPort, int siloPort, int gatewayPort, string logPath, string apiKey, ProcessStartInfo info)
    {
        Name = name;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        LogPath = logPath;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromMinutes(3) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        _process = ChildProcess.Start(info, Keep);
    }

    public string Name { get; }

    public int Pid => _process.Pid;

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public string LogPath { get; }

    /// <summary>Sends the API key on every request (GETs ignore it).</summary>
    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Tail => _process.Output;

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Starts the host with <paramref name="environment"/> (full variable names) plus fresh ports.</summary>
    public static SiloNode Start(string name, IReadOnlyDictionary<string, string> environment, string logDirectory, string apiKey)
    {
        var httpPort = LoopbackPorts.Next();
        var siloPort = LoopbackPorts.Next();
        var gatewayPort = LoopbackPorts.Next();
        var info = DotnetProgram.StartInfo(SiloProcess.Program);
        info.Environment["DOTNET_gcServer"] = "0"; // three or four silos share a 2-core machine
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        info.Environment["OrleansDedup__SiloPort"] = siloPort.ToString();
        info.Environment["OrleansDedup__GatewayPort"] = gatewayPort.ToString();
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var logPath = Path.Combine(logDirectory, $"{name}-{DateTime.UtcNow:HHmmss.fff}.log");
        return new SiloNode(name, httpPort, siloPort, gatewayPort, logPath, apiKey, info);
    }

    /// <summary>Waits until <c>/healthz</c> answers 200 (the silo is an active member).</summary>
    public Task WaitHealthyAsync(TimeSpan limit) => _process.WaitUntilAnswers(Http.BaseAddress!, "/healthz", limit, Name);

    public async Task<JsonElement> HealthAsync()
    {
        using var response = await Http.GetAsync("/healthz");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>kill -9.</summary>
    public async Task KillAsync()
    {
        _process.Signal(ChildProcesses.SigKill);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Waits for the silo to exit by itself (and its output to end); a <see cref="TimeoutException"/> past
    /// <paramref name="limit"/>.</summary>
    public Task WaitForExitAsync(TimeSpan limit) => _process.WaitForExitAsync(limit);

    /// <summary>SIGTERM, then waits for the exit (a graceful stop may take up to 30 s); returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? limit = null)
    {
        _process.Signal(ChildProcesses.SigTerm);
        try
        {
            await _process.WaitForExitAsync(limit ?? TimeSpan.FromSeconds(45));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not stop within {limit ?? TimeSpan.FromSeconds(45)} of SIGTERM:\n{Tail}");
        }
        return _process.ExitCode;
    }

    /// <summary>Segments this silo has processed (every outcome), from its own metrics.</summary>
    public Task<double> SegmentsProcessedAsync() => MetricAsync("orleans_dedup_segments_total");

    /// <summary>The sum of a metric's series on this silo's /metrics.</summary>
    public async Task<double> MetricAsync(string name) => (await Http.GetStringAsync("/metrics")).Split('\n')
        .Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{')
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    public Task<HttpResponseMessage> PostJsonAsync(string uri, object body) => Http.PostAsJsonAsync(uri, body);

    /// <summary>Every line goes to the log file; stderr's are also kept whole, for assertions on what the silo printed there.</summary>
    private void Keep(string line, bool error)
    {
        if (error) _stderr.Enqueue(line);
        lock (_logGate)
        {
            try
            {
                _log.WriteLine(error ? "[stderr] " + line : line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
        lock (_logGate) _log.Dispose();
    }

    public override string ToString() => $"{Name} (pid {Pid}, http {HttpPort}, silo {SiloPort}, gateway {GatewayPort})";
}
