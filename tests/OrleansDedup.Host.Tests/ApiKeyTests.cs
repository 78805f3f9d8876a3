using System.Net;

namespace OrleansDedup.Host.Tests;

/// <summary>
/// Every API call needs a key: anonymous or wrong keys get 401, the read-only key reads (image content included) but
/// gets 403 on every state-changing call, the read-write key does both; only /healthz and /metrics are open.
/// </summary>
public sealed class ApiKeyTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private const string Image = "guarded";

    private static readonly string[] Reads =
        [$"/api/images", $"/api/images/{Image}", $"/api/images/{Image}/content", $"/api/images/{Image}/content?format=qcow2",
         $"/api/images/{Image}/ingest", "/api/stats", "/api/hosts/any-host"];

    /// <summary>No key, an empty one, another secret, and keys of the same length as the real ones differing in one
    /// character (the comparison must not accept a near miss) or in case.</summary>
    private IEnumerable<string?> WrongKeys() =>
        [null, "", "wrong", Convert.ToHexString(new byte[24]), silo.ApiKey + "x", silo.ApiKey.ToLowerInvariant(),
         OneCharOff(silo.ApiKey), OneCharOff(silo.ReadOnlyApiKey)];

    [Fact]
    public async Task Reads_without_a_valid_key_get_401_with_a_challenge()
    {
        await Stored();
        foreach (var key in WrongKeys())
        {
            foreach (var uri in Reads)
        {
            using var response = await silo.Send(HttpMethod.Get, uri, key);
            await SiloFixture.Problem(response, HttpStatusCode.Unauthorized);
            Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString());
        }
        }
        // What stays open: health and metrics.
        await SiloFixture.Json(await silo.Anonymous.GetAsync("/healthz"), HttpStatusCode.OK);
        using var metrics = await silo.Anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task The_read_only_key_reads_everything_and_the_read_write_key_too()
    {
        var bytes = await Stored();
        foreach (var key in new[] { silo.ReadOnlyApiKey, silo.ApiKey })
        {
            using var content = await silo.Send(HttpMethod.Get, $"/api/images/{Image}/content", key);
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
            await SiloFixture.Json(await silo.Send(HttpMethod.Get, "/api/images", key), HttpStatusCode.OK);
            await SiloFixture.Json(await silo.Send(HttpMethod.Get, $"/api/images/{Image}", key), HttpStatusCode.OK);
            await SiloFixture.Json(await silo.Send(HttpMethod.Get, "/api/stats", key), HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task State_changing_calls_get_401_without_a_valid_key_and_403_with_the_read_only_key()
    {
        await Stored();
        var path = silo.WriteImage(silo.Root, "keyed.raw", SiloFixture.MakeImage(4, 100_000));
        foreach (var (key, expected) in WrongKeys().Select(k => (k, HttpStatusCode.Unauthorized))
                     .Append((silo.ReadOnlyApiKey, HttpStatusCode.Forbidden)))
        {
            await SiloFixture.Problem(await silo.IngestByPath("keyed", path, key), expected);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Put, "/api/images/keyed/upload", key, new ByteArrayContent([1, 2, 3])), expected);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Delete, $"/api/images/{Image}", key), expected);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Delete, "/api/images/keyed/ingest", key), expected);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Post, "/api/gc", key), expected);
            // The key is checked before the body is bound: a body the endpoint would refuse (400) is not looked at.
            await SiloFixture.Problem(await silo.Send(HttpMethod.Put, "/api/hosts/any-host", key,
                new StringContent("{not json", null, "application/json")), expected);
        }
        await silo.AssertNoImage("keyed");
        await SiloFixture.Json(await silo.Http.GetAsync($"/api/images/{Image}"), HttpStatusCode.OK);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(silo.Data, "uploads")));
    }

    /// <summary>Stores <see cref="Image"/> once (with the read-write key) and returns its bytes.</summary>
    private async Task<byte[]> Stored()
    {
        var bytes = SiloFixture.MakeImage(41, 200_000);
        var path = silo.WriteImage(silo.Root, Image + ".raw", bytes);
        using var info = await silo.Send(HttpMethod.Get, $"/api/images/{Image}", silo.ApiKey);
        if (info.StatusCode == HttpStatusCode.OK) return bytes;
        await SiloFixture.Json(await silo.IngestByPath(Image, path, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await silo.WaitForIngest(Image)).GetProperty("state").GetString());
        return bytes;
    }

    private static string OneCharOff(string key) => key[..^1] + (key[^1] == '0' ? '1' : '0');
}

/// <summary>A silo with only the read-only key configured: that key reads, and state-changing calls are refused with 503
/// naming the read-write key's setting, whatever key they carry.</summary>
public sealed class ReadOnlyKeyTests(ReadOnlyKeySiloFixture silo) : IClassFixture<ReadOnlyKeySiloFixture>
{
    [Fact]
    public async Task Reads_work_with_the_read_only_key_and_mutations_are_disabled()
    {
        await SiloFixture.Json(await silo.Http.GetAsync("/api/images"), HttpStatusCode.OK);
        await SiloFixture.Json(await silo.Http.GetAsync("/api/stats"), HttpStatusCode.OK);
        await SiloFixture.Problem(await silo.Send(HttpMethod.Get, "/api/images"), HttpStatusCode.Unauthorized);
        foreach (var key in new[] { null, silo.ReadOnlyApiKey, silo.ApiKey })
        {
            var detail = await SiloFixture.Problem(await silo.Send(HttpMethod.Post, "/api/gc", key), HttpStatusCode.ServiceUnavailable);
            Assert.Contains("OrleansDedup__ApiKey", detail);
        }
    }
}
