using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>Watching running ingests without placing their grains: a status asked over HTTP before the CLI's first
/// call would activate the image grain on the asking silo, so these wait for the ingest's heartbeat file first.</summary>
public partial class ClusterFixture
{
    /// <summary>The heartbeat files on the shared store now: those of running ingests, and of dead ones until gc.</summary>
    public HashSet<string> IngestHeartbeats()
    {
        var recipes = Path.Combine(DataDirectory, "recipes");
        return System.IO.Directory.Exists(recipes)
            ? System.IO.Directory.EnumerateFiles(recipes, "ingest.alive", SearchOption.AllDirectories).ToHashSet()
            : [];
    }

    /// <summary>Waits until <paramref name="count"/> ingests have started since <paramref name="before"/> was taken
    /// (their heartbeat files appeared on the shared store); fails if <paramref name="cli"/> ends first.</summary>
    public async Task WaitForNewIngests(HashSet<string> before, int count, Task<CliResult> cli)
    {
        var clock = Stopwatch.StartNew();
        while (IngestHeartbeats().Count(h => !before.Contains(h)) < count)
        {
            if (cli.IsCompleted) Assert.Fail($"the ingest ended before {count} were seen running:\n{await cli}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"fewer than {count} ingests running within 60 s");
            await Task.Delay(20);
        }
    }

    /// <summary>The silo running the ingest of <paramref name="image"/>, as its image grain reports it.</summary>
    public async Task<SiloNode> SiloRunning(string image)
    {
        using var response = await Silos[0].Http.GetAsync($"/api/images/{image}/ingest");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"ingest status of {image}: {(int)response.StatusCode} {text}");
        var silo = JsonDocument.Parse(text).RootElement.GetProperty("silo").GetString();
        return Silos.SingleOrDefault(s => silo?.StartsWith(s.Name + " ", StringComparison.Ordinal) == true)
               ?? throw new Xunit.Sdk.XunitException($"no running silo runs the ingest of {image}: {text}");
    }
}
