using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansDedup.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansDedup.Observability.Tests;

/// <summary>
/// The dashboards are real: a real silo host (its own process) ingests images through its HTTP API while a real
/// Prometheus scrapes its /metrics every second, and migrates VMs between two hosts it models; then every panel query of
/// every dashboard is evaluated through Prometheus' HTTP API and must be valid and return series.
/// </summary>
public sealed class DashboardQueryTests(ITestOutputHelper output) : IDisposable
{
    private const string ApiKey = "observability-test-key-0123456789";
    private const string ReadOnlyApiKey = "observability-read-only-key-0123456789";

    /// <summary>Each test's silo data and images; xUnit makes a test class per test, so each gets its own.</summary>
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("orleans-dedup-observability-");

    public void Dispose()
    {
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Every_panel_query_returns_series_from_a_real_silo_and_prometheus()
    {
        var binary = PrometheusProcess.Find();
        Assert.True(binary is not null,
            "prometheus is not installed: this test runs a real Prometheus. .ci/run installs Debian's 'prometheus' package (CI always has it); " +
            "on a development machine: apt-get install prometheus");

        var (silo, image) = await StartWithImage(("SiloName", "observability-silo"));
        await using var _ = silo;
        await using var prometheus = await PrometheusProcess.StartAsync(binary!, silo.BaseAddress);
        await prometheus.WaitScrapes(3, TimeSpan.FromSeconds(60));

        // Twice the same image (the second is all duplicates), a wave of two migrations of it, then a gc after deleting the first.
        await Ingest(silo, "first", image);
        await Ingest(silo, "second", image);
        await Migrate(silo, "second");
        using (var delete = Keyed(HttpMethod.Delete, "/api/images/first")) (await silo.Http.SendAsync(delete)).EnsureSuccessStatusCode();
        using (var gc = Keyed(HttpMethod.Post, "/api/gc")) (await silo.Http.SendAsync(gc)).EnsureSuccessStatusCode();

        // A few scrapes after the last change, so that rates over 10 s have their samples.
        var scrapes = await prometheus.Scrapes();
        await prometheus.WaitScrapes((int)scrapes + 4, TimeSpan.FromSeconds(60));

        var failures = new List<string>();
        var queries = Dashboards.Queries().ToArray();
        Assert.NotEmpty(queries);
        foreach (var query in queries)
        {
            var promql = Dashboards.Substitute(query.Expr);
            var (status, error, series) = await prometheus.Query(promql);
            if (status != "success") failures.Add($"{query}: invalid query ({error}): {promql}");
            else if (series.Length == 0) failures.Add($"{query}: no series: {promql}");
        }
        output.WriteLine($"{queries.Length} panel queries evaluated");
        // The grid's metric names the dashboards read are the ones the exporter really writes (unit suffixes, _total).
        var exposed = "\n" + await silo.Http.GetStringAsync("/metrics");
        foreach (var name in queries.SelectMany(q => Dashboards.Metrics(q.Expr)).Where(n => n.StartsWith("orleans_dedup_", StringComparison.Ordinal)).Distinct())
            if (!exposed.Contains("\n" + name + "{") && !exposed.Contains("\n" + name + " ")) failures.Add($"{name} is read by a dashboard but not exported");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {queries.Length} panel queries failed:\n{string.Join('\n', failures)}\n--- silo output ---\n{silo.Output}");

        // The silo variable of every dashboard finds this silo.
        var (_, _, silos) = await prometheus.Query("count by (instance) (target_info{service_name=\"orleans-dedup-silo\"})");
        Assert.Single(silos);
    }

    [Fact]
    public async Task Metrics_follow_prometheus_naming_and_the_dashboard_needs_the_key()
    {
        var (silo, image) = await StartWithImage();
        await using var _ = silo;
        await Ingest(silo, "one", image);
        var text = await silo.Http.GetStringAsync("/metrics");
        foreach (var name in new[]
                 {
                     "orleans_dedup_ingested_bytes_total", "orleans_dedup_stored_bytes_total", "orleans_dedup_new_bytes_total", "orleans_dedup_chunks_total",
                     "orleans_dedup_segment_duration_seconds_bucket", "orleans_dedup_index_batch_duration_seconds_bucket",
                     "orleans_dedup_index_entries", "orleans_dedup_store_size_bytes", "orleans_dedup_ingests_total",
                     "orleans_catalog_activations", "dotnet_process_cpu_time_seconds_total", "target_info",
                 })
        {
            Assert.Contains("\n" + name + "{", "\n" + text);
        }

        foreach (var kind in new[] { "zero", "duplicate", "new" }) Assert.Contains($"kind=\"{kind}\"", text);
        // The resource: service orleans-dedup-silo, instance = the silo name.
        Assert.Contains("service_name=\"orleans-dedup-silo\"", text);
        Assert.Contains("service_instance_id=", text);

        using (var anonymous = await silo.Http.GetAsync("/dashboard/")) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/dashboard/"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:not-the-key")));
            using var response = await silo.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var basic = new HttpRequestMessage(HttpMethod.Get, "/dashboard/"))
        {
            basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{ApiKey}")));
            using var response = await silo.Http.SendAsync(basic);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Orleans Dashboard", await response.Content.ReadAsStringAsync());
        }
        // The dashboard only shows, so the read-only key opens it too.
        using (var header = new HttpRequestMessage(HttpMethod.Get, "/dashboard/"))
        {
            header.Headers.Add("X-Api-Key", ReadOnlyApiKey);
            using var response = await silo.Http.SendAsync(header);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_dashboard_is_off_by_default()
    {
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string>
        {
            ["DataDirectory"] = Path.Combine(_work.FullName, "data"),
            ["ApiKey"] = ApiKey,
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Add("X-Api-Key", ApiKey);
        using var response = await silo.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var metrics = await silo.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    /// <summary>A silo host with the dashboard on and an image root holding <see cref="WriteImage"/>'s image.</summary>
    private async Task<(SiloProcess Silo, string Image)> StartWithImage(params (string Key, string Value)[] settings)
    {
        var images = Directory.CreateDirectory(Path.Combine(_work.FullName, "images"));
        var image = Path.Combine(images.FullName, "disk.raw");
        WriteImage(image);
        var configuration = new Dictionary<string, string>
        {
            ["DataDirectory"] = Path.Combine(_work.FullName, "data"),
            ["ImageRoots__0"] = images.FullName,
            ["ApiKey"] = ApiKey,
            ["ReadOnlyApiKey"] = ReadOnlyApiKey,
            ["Dashboard"] = "true",
        };
        foreach (var (key, value) in settings) configuration[key] = value;
        return (await SiloProcess.StartAsync(configuration), image);
    }

    /// <summary>24 MiB: 8 MiB of random bytes, the same 8 MiB again (duplicates) and 8 MiB of zeros.</summary>
    private static void WriteImage(string path)
    {
        var random = new byte[8 << 20];
        new Random(42).NextBytes(random);
        using var file = File.Create(path);
        file.Write(random);
        file.Write(random);
        file.Write(new byte[8 << 20]);
    }

    /// <summary>A request with the read-write key: every API call needs a key.</summary>
    private static HttpRequestMessage Keyed(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", ApiKey);
        if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    /// <summary>Two hosts (modelled by this silo), then a wave of two VMs with <paramref name="image"/> as their disk.</summary>
    private static async Task Migrate(SiloProcess silo, string image)
    {
        var capacity = new { mipsPerCore = 2660, cores = 2, ramBytes = 4L << 30, bandwidthBytesPerSecond = 125_000_000 };
        foreach (var host in new[] { "host-a", "host-b" })
        {
            using var configure = Keyed(HttpMethod.Put, $"/api/hosts/{host}", capacity);
            using var response = await silo.Http.SendAsync(configure);
            Assert.True(response.IsSuccessStatusCode, $"host {host}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        object Vm(string vm) => new { vm, source = "host-a", destination = "host-b", ramBytes = 64L << 20, dirtyBytesPerSecond = 8 << 20, disks = new[] { image } };
        using var wave = Keyed(HttpMethod.Post, "/api/migrations", new { migrations = new[] { Vm("vm-1"), Vm("vm-2") } });
        using var migrated = await silo.Http.SendAsync(wave);
        Assert.True(migrated.IsSuccessStatusCode, $"migrations: {(int)migrated.StatusCode} {await migrated.Content.ReadAsStringAsync()}");
    }

    private static async Task Ingest(SiloProcess silo, string name, string path)
    {
        using (var start = Keyed(HttpMethod.Post, $"/api/images/{name}/ingest", new { path, strategy = "adaptive" }))
        using (var response = await silo.Http.SendAsync(start))
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ingest of {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            using var poll = Keyed(HttpMethod.Get, $"/api/images/{name}/ingest");
            using var polled = await silo.Http.SendAsync(poll);
            var status = await polled.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var state = status.GetProperty("state").GetString();
            if (state == "succeeded") return;
            Assert.True(state == "running", $"ingest of {name} ended {state}: {status}");
            Assert.True(DateTime.UtcNow < deadline, $"ingest of {name} did not finish in 120 s");
            await Task.Delay(200);
        }
    }
}
