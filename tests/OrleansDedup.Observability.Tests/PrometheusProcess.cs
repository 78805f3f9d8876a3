using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Observability.Tests;

/// <summary>A real Prometheus (Debian's package) on a free loopback port, with a generated configuration that scrapes
/// one target every second and a temporary storage directory; killed and removed on dispose.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    public const string Job = "orleans-dedup";

    private readonly ChildProcess _process;
    private readonly string _directory;

    private PrometheusProcess(ChildProcess process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string Output => _process.Output;

    /// <summary>The prometheus binary on PATH (Debian: /usr/bin/prometheus), or null.</summary>
    public static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin")
            .Select(d => Path.Combine(d, "prometheus")).FirstOrDefault(File.Exists);
    }

    public static async Task<PrometheusProcess> StartAsync(string binary, Uri target)
    {
        var directory = Directory.CreateTempSubdirectory("orleans-dedup-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {Job}
                metrics_path: /metrics
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var port = LoopbackPorts.Next();
        var info = new ProcessStartInfo(binary) { WorkingDirectory = directory };
        foreach (var arg in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h", "--log.level=warn",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var address = new Uri($"http://127.0.0.1:{port}");
        try
        {
            return new PrometheusProcess(await ChildProcess.StartReadyAsync(info, address, "/-/ready", TimeSpan.FromSeconds(60), "prometheus"), directory, address);
        }
        catch
        {
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>An instant query; returns status ("success" or "error"), the error if any, and the result series.</summary>
    public async Task<(string Status, string? Error, JsonElement[] Series)> Query(string promql)
    {
        using var response = await Http.PostAsync("/api/v1/query", new FormUrlEncodedContent([new("query", promql)]));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var status = body.GetProperty("status").GetString()!;
        if (status != "success")
            return (status, body.TryGetProperty("error", out var e) ? e.GetString() : $"HTTP {(int)response.StatusCode}", []);
        var data = body.GetProperty("data");
        var result = data.GetProperty("result");
        return (status, null, data.GetProperty("resultType").GetString() is "vector" or "matrix" ? result.EnumerateArray().ToArray() : [result]);
    }

    /// <summary>Waits until the target is up and at least <paramref name="scrapes"/> scrapes of it landed.</summary>
    public async Task WaitScrapes(int scrapes, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (status, _, series) = await Query($"sum(count_over_time(up{{job=\"{Job}\"}}[5m])) and on() max(up{{job=\"{Job}\"}}) == 1");
            if (status == "success" && series.Length == 1 && double.Parse(series[0].GetProperty("value")[1].GetString()!) >= scrapes) return;
            if (clock.Elapsed > limit)
            {
                using var targets = await Http.GetAsync("/api/v1/targets");
                throw new TimeoutException($"Prometheus did not scrape the silo {scrapes} times within {limit}; targets: {await targets.Content.ReadAsStringAsync()}\n{Output}");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The number of successful scrapes so far.</summary>
    public async Task<double> Scrapes()
    {
        var (_, _, series) = await Query($"sum(count_over_time(up{{job=\"{Job}\"}}[1h]))");
        return series.Length == 1 ? double.Parse(series[0].GetProperty("value")[1].GetString()!) : 0;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
        DeleteDirectory(_directory);
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
