using System.Net;

namespace OrleansDedup.Host.Tests;

/// <summary>Uploads through the API to a silo that accepts at most 1 MiB.</summary>
public sealed class UploadTests(SmallUploadSiloFixture silo) : IClassFixture<SmallUploadSiloFixture>
{
    private string Uploads => Path.Combine(silo.Data, "uploads");

    [Fact]
    public async Task An_upload_is_ingested_restorable_and_its_file_removed()
    {
        var bytes = SiloFixture.MakeImage(11, 900_000);
        var started = await SiloFixture.Json(
            await silo.Send(HttpMethod.Put, "/api/images/uploaded/upload?strategy=adaptive", silo.ApiKey, new ByteArrayContent(bytes)),
            HttpStatusCode.Accepted);
        Assert.Equal("uploaded", started.GetProperty("image").GetString());
        var done = await silo.WaitForIngest("uploaded");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(bytes, await silo.Content("uploaded"));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.EnumerateFiles(Uploads).Any() && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Empty(Directory.EnumerateFiles(Uploads));
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_leaves_no_image()
    {
        var bytes = SiloFixture.MakeImage(12, 2 << 20);
        var detail = await SiloFixture.Problem(
            await silo.Send(HttpMethod.Put, "/api/images/too-big/upload", silo.ApiKey, new ByteArrayContent(bytes)),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxUploadBytes", detail);
        await silo.AssertNoImage("too-big");
        Assert.Empty(Directory.EnumerateFiles(Uploads));
    }

    [Fact]
    public async Task A_chunked_upload_over_the_limit_is_413_and_leaves_no_image()
    {
        var bytes = SiloFixture.MakeImage(13, 2 << 20);
        var content = new StreamContent(new UnseekableStream(bytes)); // no Content-Length: the silo finds out while reading
        using var response = await silo.Send(HttpMethod.Put, "/api/images/too-big-chunked/upload", silo.ApiKey, content);
        await SiloFixture.Problem(response, HttpStatusCode.RequestEntityTooLarge);
        await silo.AssertNoImage("too-big-chunked");
        Assert.Empty(Directory.EnumerateFiles(Uploads));
    }

    [Fact]
    public async Task An_empty_upload_or_an_unknown_strategy_is_400()
    {
        await SiloFixture.Problem(await silo.Send(HttpMethod.Put, "/api/images/nothing/upload", silo.ApiKey, new ByteArrayContent([])),
            HttpStatusCode.BadRequest);
        await SiloFixture.Problem(await silo.Send(HttpMethod.Put, "/api/images/nothing/upload?strategy=7", silo.ApiKey, new ByteArrayContent([1])),
            HttpStatusCode.BadRequest);
        await silo.AssertNoImage("nothing");
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
