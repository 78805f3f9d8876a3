using System.Net;

namespace OrleansDedup.Host.Tests;

/// <summary>A silo with no API key configured serves reads but refuses every state-changing call with 503.</summary>
public sealed class NoApiKeyTests(NoApiKeySiloFixture silo) : IClassFixture<NoApiKeySiloFixture>
{
    [Fact]
    public async Task Mutations_are_refused_with_503_naming_the_setting()
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
        }
        await silo.AssertNoImage("any");
        await SiloFixture.Json(await silo.Http.GetAsync("/api/stats"), HttpStatusCode.OK);
        await SiloFixture.Json(await silo.Http.GetAsync("/healthz"), HttpStatusCode.OK);
    }
}
