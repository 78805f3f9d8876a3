using System.Net;
using System.Net.Http.Json;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.Host.Tests;

/// <summary>Ingest by path, restore, delete and stats, against one real silo process (the API keys: <see cref="ApiKeyTests"/>).</summary>
public sealed class SiloApiTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    [Fact]
    public async Task Health_names_the_silo_and_cluster()
    {
        var health = await SiloFixture.Json(await silo.Http.GetAsync("/healthz"), HttpStatusCode.OK);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("test-silo", health.GetProperty("silo").GetString());
        Assert.Equal("host-tests", health.GetProperty("clusterId").GetString());
    }

    [Fact]
    public async Task Ingest_by_path_inside_the_root_restores_byte_identical()
    {
        var bytes = SiloFixture.MakeImage(1);
        var path = silo.WriteImage(silo.Root, "disk1.raw", bytes);

        var started = await SiloFixture.Json(await silo.IngestByPath("disk1", path, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("disk1", started.GetProperty("image").GetString());
        var done = await silo.WaitForIngest("disk1");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(bytes.Length, done.GetProperty("result").GetProperty("size").GetInt64());
        Assert.True(done.GetProperty("result").GetProperty("segments").GetInt32() > 1);

        Assert.Equal(bytes, await silo.Content("disk1"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(silo.Data, "restores")));
        var info = await SiloFixture.Json(await silo.Http.GetAsync("/api/images/disk1"), HttpStatusCode.OK);
        Assert.Equal(path, info.GetProperty("sourcePath").GetString());
        var list = await SiloFixture.Json(await silo.Http.GetAsync("/api/images"), HttpStatusCode.OK);
        Assert.Contains(list.EnumerateArray(), i => i.GetProperty("name").GetString() == "disk1");

        // The same name again is a conflict, said at once.
        await SiloFixture.Problem(await silo.IngestByPath("disk1", path, silo.ApiKey), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_symlink_that_stays_inside_the_root_is_accepted()
    {
        var bytes = SiloFixture.MakeImage(2, 300_000);
        var target = silo.WriteImage(silo.Root, "target.raw", bytes);
        var link = Path.Combine(silo.Root, "inside-link.raw");
        File.CreateSymbolicLink(link, target);

        await SiloFixture.Json(await silo.IngestByPath("inside-link", link, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await silo.WaitForIngest("inside-link")).GetProperty("state").GetString());
        Assert.Equal(bytes, await silo.Content("inside-link"));
    }

    [Fact]
    public async Task Paths_outside_the_root_are_refused_with_403_and_nothing_is_ingested()
    {
        var outside = silo.WriteImage(silo.Outside, "secret.raw", SiloFixture.MakeImage(3, 200_000));
        var fileLink = Path.Combine(silo.Root, "link-out.raw");
        File.CreateSymbolicLink(fileLink, outside);
        var directoryLink = Path.Combine(silo.Root, "dir-out");
        Directory.CreateSymbolicLink(directoryLink, silo.Outside);
        var cases = new Dictionary<string, string>
        {
            ["outside"] = outside,
            ["traversal"] = Path.Combine(silo.Root, "..", "outside", "secret.raw"),
            ["traversal-raw"] = silo.Root + "/../outside/secret.raw",
            ["file-link"] = fileLink,
            ["directory-link"] = Path.Combine(directoryLink, "secret.raw"),
            ["system"] = "/etc/passwd",
        };
        foreach (var (name, path) in cases)
        {
            var detail = await SiloFixture.Problem(await silo.IngestByPath(name, path, silo.ApiKey), HttpStatusCode.Forbidden);
            Assert.Contains("outside the image roots", detail);
            await silo.AssertNoImage(name);
            var status = await SiloFixture.Json(await silo.Http.GetAsync($"/api/images/{name}/ingest"), HttpStatusCode.OK);
            Assert.Equal("idle", status.GetProperty("state").GetString());
        }

        await SiloFixture.Problem(await silo.IngestByPath("relative", "images/secret.raw", silo.ApiKey), HttpStatusCode.BadRequest);
        await silo.AssertNoImage("relative");
    }

    [Fact]
    public async Task Delete_then_get_is_404_and_gc_reclaims()
    {
        var bytes = SiloFixture.MakeImage(5, 700_000);
        var path = silo.WriteImage(silo.Root, "doomed.raw", bytes);
        await SiloFixture.Json(await silo.IngestByPath("doomed", path, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await silo.WaitForIngest("doomed")).GetProperty("state").GetString());

        using (var deleted = await silo.Send(HttpMethod.Delete, "/api/images/doomed", silo.ApiKey))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await silo.AssertNoImage("doomed");
        await SiloFixture.Problem(await silo.Http.GetAsync("/api/images/doomed/content"), HttpStatusCode.NotFound);
        await SiloFixture.Problem(await silo.Send(HttpMethod.Delete, "/api/images/doomed", silo.ApiKey), HttpStatusCode.NotFound);

        var gc = await SiloFixture.Json(await silo.Send(HttpMethod.Post, "/api/gc", silo.ApiKey), HttpStatusCode.OK);
        Assert.True(gc.GetProperty("bytesBefore").GetInt64() >= gc.GetProperty("bytesAfter").GetInt64());
        // the deleted image's chunks (and any other image's deleted by the class's tests) are swept from the index
        Assert.False(gc.GetProperty("sweepSkipped").GetBoolean());
        Assert.True(gc.GetProperty("entriesSwept").GetInt64() > 0, $"gc swept nothing: {gc}");
    }

    [Fact]
    public async Task Content_in_a_container_format_is_the_guest_disk_that_qemu_reads()
    {
        var bytes = SiloFixture.MakeImage(9, 3 << 20);
        var path = silo.WriteImage(silo.Root, "convert.raw", bytes);
        await SiloFixture.Json(await silo.IngestByPath("convert", path, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await silo.WaitForIngest("convert")).GetProperty("state").GetString());

        using (var response = await silo.Http.GetAsync("/api/images/convert/content?format=qcow2"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("convert.qcow2", response.Content.Headers.ContentDisposition?.FileName);
            var qcow2 = Path.Combine(silo.Outside, "convert.qcow2");
            await File.WriteAllBytesAsync(qcow2, await response.Content.ReadAsByteArrayAsync());
            // check verifies its tables and refcounts; compare exits 0 only for the same guest contents.
            ImageSet.Run("qemu-img", $"check -f qcow2 {qcow2}");
            ImageSet.Run("qemu-img", $"compare -f raw -F qcow2 {path} {qcow2}");
        }
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(silo.Data, "restores")));

        var problem = await SiloFixture.Problem(await silo.Http.GetAsync("/api/images/convert/content?format=iso"), HttpStatusCode.BadRequest);
        Assert.Contains("unknown format 'iso'", problem);
    }

    [Fact]
    public async Task Stats_show_the_shards_per_silo_summing_to_the_shard_count()
    {
        var path = silo.WriteImage(silo.Root, "counted.raw", SiloFixture.MakeImage(6, 400_000));
        await SiloFixture.Json(await silo.IngestByPath("counted", path, silo.ApiKey), HttpStatusCode.Accepted);
        await silo.WaitForIngest("counted");

        var stats = await SiloFixture.Json(await silo.Http.GetAsync("/api/stats"), HttpStatusCode.OK);
        Assert.Equal(SiloFixture.ShardCount, stats.GetProperty("shardCount").GetInt32());
        var silos = stats.GetProperty("silos").EnumerateArray().ToArray();
        Assert.NotEmpty(silos);
        Assert.Equal(SiloFixture.ShardCount, silos.Sum(s => s.GetProperty("shards").GetInt32()));
        Assert.All(silos, s => Assert.False(string.IsNullOrEmpty(s.GetProperty("silo").GetString())));
        Assert.Equal(SiloFixture.ShardCount, stats.GetProperty("shards").GetArrayLength());
        Assert.True(stats.GetProperty("overall").GetProperty("imageCount").GetInt32() >= 1);
    }

    [Fact]
    public async Task Bad_requests_are_one_line_problems()
    {
        var path = silo.WriteImage(silo.Root, "bad.raw", SiloFixture.MakeImage(7, 100_000));
        var request = silo.Request(HttpMethod.Post, "/api/images/bad/ingest", silo.ApiKey, JsonContent.Create(new { path, strategy = "zip" }));
        Assert.Contains("unknown strategy", await SiloFixture.Problem(await silo.Http.SendAsync(request), HttpStatusCode.BadRequest));
        request = silo.Request(HttpMethod.Post, "/api/images/bad/ingest", silo.ApiKey, new StringContent("{not json", null, "application/json"));
        await SiloFixture.Problem(await silo.Http.SendAsync(request), HttpStatusCode.BadRequest);
        var empty = silo.WriteImage(silo.Root, "empty.raw", []);
        Assert.Contains("empty", await SiloFixture.Problem(await silo.IngestByPath("empty", empty, silo.ApiKey), HttpStatusCode.BadRequest));
        await SiloFixture.Problem(await silo.IngestByPath("missing", Path.Combine(silo.Root, "missing.raw"), silo.ApiKey), HttpStatusCode.BadRequest);
        await SiloFixture.Problem(await silo.Send(HttpMethod.Delete, "/api/images/bad/ingest", silo.ApiKey), HttpStatusCode.Conflict);
        await SiloFixture.Problem(await silo.Http.GetAsync("/api/no-such-endpoint"), HttpStatusCode.NotFound);
        await silo.AssertNoImage("bad");
    }
}
