using OrleansDedup.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>
/// A graceful stop interrupts no ingest: each of the three silos in turn gets SIGTERM while two images are being
/// ingested through the membership table, a new silo takes its place, and every ingest completes. Afterwards verify is
/// clean and every image restores byte-identical.
/// </summary>
public sealed class GracefulStopTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private const long Size = 128L << 20;

    [Fact]
    public async Task SIGTERM_of_each_silo_in_turn_during_ingests_interrupts_none()
    {
        var originals = cluster.Silos.ToArray();
        var images = new Dictionary<string, string>();
        for (var round = 0; round < originals.Length; round++)
        {
            var paths = Enumerable.Range(0, 2)
                .Select(k => cluster.WriteImage($"round{round}-{k}.raw", Size, seed: 70 + round, variant: k, changed: 0.2)).ToArray();
            foreach (var path in paths) images[Path.GetFileName(path)] = path;
            var before = cluster.IngestHeartbeats();
            var cli = cluster.CliViaMembership(TimeSpan.FromMinutes(4), ["ingest", .. paths]);
            await cluster.WaitForNewIngests(before, 2, cli);

            var victim = originals[round];
            var exit = await victim.StopAsync();
            Assert.True(exit == 0, $"{victim} exited {exit} on SIGTERM:\n{victim.Tail}");
            await cluster.StartSilosAsync(1);
            var result = await cli;
            output.WriteLine($"round {round}, SIGTERM of {victim.Name}: {result}");
            Assert.True(result.ExitCode == 0, $"an ingest did not survive the graceful stop of {victim.Name}:\n{result}\n{cluster.Diagnostics()}");
            Assert.Equal(2, result.Json.GetArrayLength());
        }

        var silos = cluster.Silos;
        Assert.DoesNotContain(silos, s => originals.Contains(s));
        var report = await cluster.VerifyOk(silos[0]);
        Assert.Equal(images.Count, report.GetProperty("images").GetInt32());
        var k = 0;
        foreach (var (name, path) in images) await cluster.RestoreIdentical(silos[k++ % silos.Count], name, path);
    }
}
