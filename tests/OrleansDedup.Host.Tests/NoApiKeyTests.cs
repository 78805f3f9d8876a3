using System.Net;

namespace OrleansDedup.Host.Tests;

/// <summary>A silo with no API key configured refuses every API call, reads included, with 503 naming the settings;
/// /healthz and /metrics still answer.</summary>
public sealed class NoApiKeyTests(NoApiKeySiloFixture silo) : IClassFixture<NoApiKeySiloFixture>
{
    [Fact]
    public async Task Every_api_call_is_refused_with_503_naming_the_setting()
    {
        var path = silo.WriteImage(silo.Root, "any.raw", SiloFixture.MakeImage(21, 100_000));
        foreach (var key in new[] { null, "whatever-the-client-sends" })
        {
            var detail = await SiloFixture.Problem(await silo.IngestByPath("any", path, key), HttpStatusCode.ServiceUnavailable);
            Assert.Contains("OrleansDedup__ApiKey", detail);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Put, "/api/images/any/upload", key, new ByteArrayContent([1, 2, 3])),
                HttpStatusCode.ServiceUnavailable);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Delete, "/api/images/any", key), HttpStatusCode.ServiceUnavailable);
            await SiloFixture.Problem(await silo.Send(HttpMethod.Post, "/api/gc", key), HttpStatusCode.ServiceUnavailable);
            foreach (var read in new[] { "/api/images", "/api/images/any", "/api/images/any/content", "/api/stats" })
                Assert.Contains("OrleansDedup__ReadOnlyApiKey", await SiloFixture.Problem(await silo.Send(HttpMethod.Get, read, key), HttpStatusCode.ServiceUnavailable));
        }
        await SiloFixture.Json(await silo.Anonymous.GetAsync("/healthz"), HttpStatusCode.OK);
        using var metrics = await silo.Anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("No API key is configured", silo.Silo.Output);
    }
}
