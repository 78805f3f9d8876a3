using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Host.Tests;

/// <summary>
/// One real silo process per test class, on its own temporary directories: a data directory, an image root the silo
/// may read, and an "outside" directory beside the root that it must not. The API keys (read-write and read-only) are new
/// for every run. <see cref="Http"/> sends the read-only key on every request; <see cref="Send"/> sends only the key given.
/// </summary>
public class SiloFixture : IAsyncLifetime
{
    public const int ShardCount = 4;
    public const string Header = "X-Api-Key";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-dedup-host-test-" + Guid.NewGuid().ToString("N"));

    public string Data => Path.Combine(_directory, "data");

    public string Root => Path.Combine(_directory, "images");

    public string Outside => Path.Combine(_directory, "outside");

    public string ApiKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public string ReadOnlyApiKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public SiloProcess Silo { get; private set; } = null!;

    /// <summary>A client that sends the read-only key.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A client that sends no key of its own.</summary>
    public HttpClient Anonymous => Silo.Http;

    protected virtual void Configure(Dictionary<string, string> settings)
    {
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        var settings = new Dictionary<string, string>
        {
            ["DataDirectory"] = Data,
            ["ImageRoots__0"] = Root,
            ["ApiKey"] = ApiKey,
            ["ReadOnlyApiKey"] = ReadOnlyApiKey,
            ["SiloName"] = "test-silo",
            ["ClusterId"] = "host-tests",
            ["ShardCount"] = ShardCount.ToString(),
            ["SegmentSize"] = (1 << 20).ToString(), // several segments per test image
        };
        Configure(settings);
        Silo = await SiloProcess.StartAsync(settings);
        Http = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = Silo.Http.Timeout };
        Http.DefaultRequestHeaders.Add(Header, ReadOnlyApiKey);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Silo is not null) await Silo.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public HttpRequestMessage Request(HttpMethod method, string uri, string? key = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        if (key is not null) request.Headers.Add(Header, key);
        return request;
    }

    public Task<HttpResponseMessage> Send(HttpMethod method, string uri, string? key = null, HttpContent? content = null) =>
        Anonymous.SendAsync(Request(method, uri, key, content));

    public Task<HttpResponseMessage> IngestByPath(string name, string path, string? key) =>
        Send(HttpMethod.Post, $"/api/images/{name}/ingest", key, JsonContent.Create(new { path, strategy = "adaptive" }));

    /// <summary>Polls the ingest status until it is no longer running.</summary>
    public async Task<JsonElement> WaitForIngest(string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await Json(await Http.GetAsync($"/api/images/{name}/ingest"), HttpStatusCode.OK);
            if (status.GetProperty("state").GetString() != "running") return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the ingest of {name} still runs: {status}");
            await Task.Delay(100);
        }
    }

    public async Task<byte[]> Content(string name)
    {
        using var response = await Http.GetAsync($"/api/images/{name}/content");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async Task AssertNoImage(string name)
    {
        using var response = await Http.GetAsync($"/api/images/{name}");
        await Problem(response, HttpStatusCode.NotFound);
        var list = await Json(await Http.GetAsync("/api/images"), HttpStatusCode.OK);
        Assert.DoesNotContain(list.EnumerateArray(), i => i.GetProperty("name").GetString() == name);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Checks that the response is a ProblemDetails with the status and a one-line detail, without a stack trace.</summary>
    public static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response, expected);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain('\n', detail);
        Assert.DoesNotContain("   at ", problem.ToString());
        return detail;
    }

    /// <summary>An image with data, a repeat of that data shifted off block boundaries, a zero run and an odd tail.</summary>
    public static byte[] MakeImage(int seed, int size = (5 << 19) + 1234)
    {
        var bytes = new byte[size];
        var random = new Random(seed);
        var unique = Math.Min(1 << 20, size);
        random.NextBytes(bytes.AsSpan(0, unique));
        var repeatAt = unique + (512 << 10);
        if (repeatAt < size) bytes.AsSpan(0, Math.Min(unique - 100, size - repeatAt - 100)).CopyTo(bytes.AsSpan(repeatAt + 100));
        random.NextBytes(bytes.AsSpan(size - 1234));
        return bytes;
    }

    public string WriteImage(string directory, string fileName, byte[] bytes)
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

public sealed class SmallUploadSiloFixture : SiloFixture
{
    public const int MaxUploadBytes = 1 << 20;

    protected override void Configure(Dictionary<string, string> settings) => settings["MaxUploadBytes"] = MaxUploadBytes.ToString();
}

public sealed class NoApiKeySiloFixture : SiloFixture
{
    protected override void Configure(Dictionary<string, string> settings)
    {
        settings["ApiKey"] = "";
        settings["ReadOnlyApiKey"] = "";
    }
}

/// <summary>A silo with only the read-only key: reads work with it, state-changing calls are refused.</summary>
public sealed class ReadOnlyKeySiloFixture : SiloFixture
{
    protected override void Configure(Dictionary<string, string> settings) => settings["ApiKey"] = "";
}
