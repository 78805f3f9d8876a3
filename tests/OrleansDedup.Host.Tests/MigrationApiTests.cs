using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace OrleansDedup.Host.Tests;

/// <summary>The migration simulator over HTTP, against one real silo process: hosts, a wave of migrations, and a
/// scenario posted as YAML or JSON.</summary>
public sealed class MigrationApiTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private const string Yaml = """
        seed: 7
        hosts: 6
        vms: 8
        steps: 40
        strategies:
          - { name: none, dedup: false }
          - { name: fixed, diskZero: 0.2, diskDuplicate: 0.3 }
        """;

    private const string Json = """{ "seed": 7, "hosts": 6, "vms": 8, "steps": 40, "strategies": [ { "name": "none", "dedup": false }, { "name": "fixed", "diskZero": 0.2, "diskDuplicate": 0.3 } ] }""";

    private Task<HttpResponseMessage> Simulate(string body, string mediaType, string? key) =>
        silo.Send(HttpMethod.Post, "/api/simulate", key, new StringContent(body, Encoding.UTF8, mediaType));

    [Fact]
    public async Task A_scenario_posted_as_yaml_or_json_returns_the_same_report()
    {
        var fromYaml = await SiloFixture.Json(await Simulate(Yaml, "application/yaml", silo.ApiKey), HttpStatusCode.OK);
        var fromJson = await SiloFixture.Json(await Simulate(Json, "application/json", silo.ApiKey), HttpStatusCode.OK);
        Assert.Equal(fromYaml.ToString(), fromJson.ToString());
        Assert.Equal(7, fromYaml.GetProperty("seed").GetInt32());
        var strategies = fromYaml.GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(["none", "fixed"], strategies.Select(s => s.GetProperty("strategy").GetString()));
        var migrations = strategies[0].GetProperty("migrations").GetInt32();
        Assert.True(migrations > 0, fromYaml.ToString());
        // Same decisions for both strategies; dedup sends fewer bytes and takes less time.
        Assert.Equal(migrations, strategies[1].GetProperty("migrations").GetInt32());
        Assert.True(strategies[1].GetProperty("bytesSent").GetDouble() < strategies[0].GetProperty("bytesSent").GetDouble());
        Assert.True(strategies[1].GetProperty("totalMigrationSeconds").GetDouble() < strategies[0].GetProperty("totalMigrationSeconds").GetDouble());
        Assert.False(strategies[0].TryGetProperty("perMigration", out _));
    }

    [Fact]
    public async Task Simulate_needs_the_key_and_refuses_bad_or_huge_scenarios_in_one_line()
    {
        await SiloFixture.Problem(await Simulate(Yaml, "application/yaml", null), HttpStatusCode.Unauthorized);
        await SiloFixture.Problem(await Simulate(Yaml, "application/yaml", "wrong"), HttpStatusCode.Unauthorized);
        var bad = await SiloFixture.Problem(await Simulate("hosts: [1, 2", "application/yaml", silo.ApiKey), HttpStatusCode.BadRequest);
        Assert.Contains("not valid YAML", bad);
        var invalid = await SiloFixture.Problem(await Simulate("mode: sideways", "application/yaml", silo.ApiKey), HttpStatusCode.BadRequest);
        Assert.Contains("mode must be precopy or postcopy", invalid);
        var unknown = await SiloFixture.Problem(await Simulate("""{ "hostz": 3 }""", "application/json", silo.ApiKey), HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", unknown);
        var huge = await SiloFixture.Problem(await Simulate("hosts: 1000\nvms: 1000\nsteps: 1000", "application/yaml", silo.ApiKey), HttpStatusCode.BadRequest);
        Assert.Contains("too large", huge);
        var images = await SiloFixture.Problem(await Simulate("images: [/etc/passwd]", "application/yaml", silo.ApiKey), HttpStatusCode.BadRequest);
        Assert.Contains("cannot name images", images);
        var long_ = await SiloFixture.Problem(await Simulate("# " + new string('x', 70_000), "application/yaml", silo.ApiKey), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("KiB", long_);
    }

    [Fact]
    public async Task A_wave_of_migrations_moves_only_missing_chunks_and_needs_the_key()
    {
        var bytes = SiloFixture.MakeImage(41);
        var path = silo.WriteImage(silo.Root, "vm-disk.raw", bytes);
        await SiloFixture.Json(await silo.IngestByPath("vm-disk", path, silo.ApiKey), HttpStatusCode.Accepted);
        Assert.Equal("succeeded", (await silo.WaitForIngest("vm-disk")).GetProperty("state").GetString());
        var capacity = new { mipsPerCore = 2660, cores = 2, ramBytes = 4L << 30, bandwidthBytesPerSecond = 125_000_000 };
        foreach (var host in new[] { "api-host-a", "api-host-b" })
            await SiloFixture.Json(await silo.Send(HttpMethod.Put, $"/api/hosts/{host}", silo.ApiKey, JsonContent.Create(capacity)), HttpStatusCode.OK);

        object Migration(string vm) => new { vm, source = "api-host-a", destination = "api-host-b", ramBytes = 256L << 20, disks = new[] { "vm-disk" } };
        var wave = JsonContent.Create(new { migrations = new[] { Migration("vm-1"), Migration("vm-2") } });
        await SiloFixture.Problem(await silo.Send(HttpMethod.Post, "/api/migrations", null, wave), HttpStatusCode.Unauthorized);
        var reports = await SiloFixture.Json(await silo.Send(HttpMethod.Post, "/api/migrations", silo.ApiKey, wave), HttpStatusCode.OK);
        var (first, second) = (reports[0], reports[1]);
        Assert.True(first.GetProperty("disk").GetProperty("chunkBytes").GetInt64() > 0);
        // The second VM finds the first one's chunks at the destination; both share host a's uplink.
        Assert.Equal(0, second.GetProperty("disk").GetProperty("chunkBytes").GetInt64());
        Assert.Equal(125_000_000 * 0.5 / 2, second.GetProperty("bandwidthBytesPerSecond").GetDouble(), 3);
        var held = await SiloFixture.Json(await silo.Http.GetAsync("/api/hosts/api-host-b"), HttpStatusCode.OK);
        Assert.Equal(["vm-disk"], held.GetProperty("images").EnumerateArray().Select(i => i.GetString()));

        var unknown = JsonContent.Create(new { migrations = new[] { new { vm = "vm-3", source = "api-host-a", destination = "nowhere", ramBytes = 1 } } });
        Assert.Contains("not configured", await SiloFixture.Problem(await silo.Send(HttpMethod.Post, "/api/migrations", silo.ApiKey, unknown), HttpStatusCode.BadRequest));
        var noImage = JsonContent.Create(new { migrations = new[] { new { vm = "vm-4", source = "api-host-a", destination = "api-host-b", ramBytes = 1, disks = new[] { "absent" } } } });
        Assert.Contains("no image named", await SiloFixture.Problem(await silo.Send(HttpMethod.Post, "/api/migrations", silo.ApiKey, noImage), HttpStatusCode.BadRequest));
    }
}
