using System.Diagnostics;
using OrleansDedup.Integration.Tests.Infrastructure;
using OrleansDedup.Testing.Tls;
using OrleansDedup.Tls;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>
/// Mutual TLS on a real cluster (three silo processes on PostgreSQL): whoever presents no certificate from the
/// cluster's CA can call no grain, through the CLI or an Orleans client of their own, and a silo without one does
/// not join. The rest of the suite runs with certificates, through the same fixture.
/// </summary>
public sealed class MutualTlsTests(ClusterFixture cluster, ITestOutputHelper log) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan CliLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan JoinWindow = TimeSpan.FromSeconds(60);

    private SiloNode Gateway => cluster.Silos[0];

    [Fact]
    public async Task A_client_without_a_certificate_can_neither_delete_nor_read()
    {
        var image = cluster.WriteImage("tls-kept.raw", 4 << 20, seed: 11);
        await cluster.IngestOk(Gateway, image, "tls-kept");

        foreach (var args in new[] { new[] { "delete", "tls-kept" }, ["stats"] })
        {
            var refused = await cluster.CliAs(null, Gateway.Gateway, CliLimit, args);
            AssertRefusedInOneLine(refused);
            Assert.Contains("no client certificate is set", refused.Error);
        }

        var images = (await cluster.CliOk(Gateway, "list")).Json;
        Assert.Contains(images.EnumerateArray(), i => i.GetProperty("name").GetString() == "tls-kept");
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_another_CA_is_refused()
    {
        var stranger = cluster.Certificates.Stranger("intruder-cli", TestCertificates.ClientUsages);
        var refused = await cluster.CliAs(stranger, Gateway.Gateway, CliLimit, "list");
        AssertRefusedInOneLine(refused);
        Assert.Contains("the cluster's CA signed the client certificate", refused.Error);
        Assert.True(SomeSiloLogged("Refused a TLS peer: certificate CN=intruder-cli"), "no silo logged why it refused the client\n" + cluster.Diagnostics());
    }

    [Fact]
    public async Task An_Orleans_client_of_ones_own_needs_a_certificate_from_the_cluster_CA()
    {
        var none = await Assert.ThrowsAnyAsync<OrleansException>(() => OwnClusterClient.ActiveSilosAsync(cluster, Gateway, _ => { }));
        log.WriteLine($"without a certificate: {none.GetType().Name}: {none.Message}");

        var stranger = cluster.Certificates.Stranger("intruder-client", TestCertificates.ClientUsages);
        var strangerCredentials = Load(stranger);
        // The intruder trusts any server, so the refusal is the silo's.
        var wrongCa = await Assert.ThrowsAnyAsync<OrleansException>(() => OwnClusterClient.ActiveSilosAsync(cluster, Gateway,
            c => c.UseTls(strangerCredentials.Certificate, o => o.AllowAnyRemoteCertificate())));
        log.WriteLine($"with another CA's certificate: {wrongCa.GetType().Name}: {wrongCa.Message}");

        var member = Load(cluster.Certificates.Issue("own-client", TestCertificates.ClientUsages));
        Assert.Equal(cluster.Silos.Count, await OwnClusterClient.ActiveSilosAsync(cluster, Gateway, c => c.UseMutualTls(member)));
    }

    [Fact]
    public async Task A_silo_without_a_certificate_does_not_join()
    {
        await AssertRogueSiloStaysOut(environment =>
        {
            foreach (var key in environment.Keys.Where(k => k.StartsWith("OrleansDedup__Tls__")).ToList()) environment.Remove(key);
            environment["OrleansDedup__Tls__Mode"] = "disabled";
        });
    }

    [Fact]
    public async Task A_silo_with_a_certificate_from_another_CA_does_not_join()
    {
        var stranger = cluster.Certificates.Stranger("rogue-silo", TestCertificates.SiloUsages);
        await AssertRogueSiloStaysOut(environment =>
        {
            foreach (var (key, value) in ClusterCertificates.SiloEnvironment(stranger)) environment[key] = value;
        });
        Assert.True(SomeSiloLogged("Refused a TLS peer: certificate CN=rogue-silo"), "no silo logged why it refused the rogue\n" + cluster.Diagnostics());
    }

    /// <summary>Starts a silo configured by <paramref name="adjust"/> (on a store of its own, so that it could not touch
    /// the cluster's even if let in) and watches it: it must never be active, in the membership table or on /healthz,
    /// while it runs (at most <see cref="JoinWindow"/>); the cluster's own silos stay active and serve the CLI.</summary>
    private async Task AssertRogueSiloStaysOut(Action<Dictionary<string, string>> adjust)
    {
        var members = cluster.Silos.Count;
        var rogue = cluster.StartSilo(environment =>
        {
            adjust(environment);
            environment["OrleansDedup__DataDirectory"] = Path.Combine(cluster.Directory, "rogue-" + Guid.NewGuid().ToString("N")[..8]);
        });
        using var probe = new HttpClient { BaseAddress = rogue.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string? sighting = null;
        while (sighting is null && !rogue.HasExited && clock.Elapsed < JoinWindow)
        {
            if ((await cluster.MembershipAsync()).TryGetValue(rogue.SiloPort, out var status) && status == ClusterFixture.StatusActive)
                sighting = $"active in the membership table at {clock.Elapsed.TotalSeconds:0.0} s";
            else if (await AnswersHealthy(probe)) sighting = $"healthy at {clock.Elapsed.TotalSeconds:0.0} s";
            else await Task.Delay(100);
        }
        log.WriteLine(rogue.HasExited
            ? $"{rogue.Name} exited with code {rogue.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s"
            : $"{rogue.Name} still ran, outside the cluster, after {clock.Elapsed.TotalSeconds:0.0} s");
        if (!rogue.HasExited) await rogue.KillAsync();

        Assert.True(sighting is null, $"{rogue.Name} got in: {sighting}\n{cluster.Diagnostics()}");
        var final = await cluster.MembershipAsync();
        Assert.NotEqual(ClusterFixture.StatusActive, final.GetValueOrDefault(rogue.SiloPort));
        await cluster.WaitForActiveMembersAsync(members, TimeSpan.FromSeconds(60));
        await cluster.CliOk(Gateway, "stats");
    }

    private static async Task<bool> AnswersHealthy(HttpClient probe)
    {
        try
        {
            using var response = await probe.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private void AssertRefusedInOneLine(CliResult result)
    {
        log.WriteLine(result.ToString());
        Assert.False(result.TimedOut, result.ToString());
        Assert.True(result.ExitCode == 1, $"expected exit 1 (failed): {result}");
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: cannot reach the cluster at " + Gateway.Gateway, line);
        Assert.DoesNotContain("   at ", result.Error + result.Out);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(30), $"a refused handshake should fail within seconds: {result}");
    }

    private bool SomeSiloLogged(string text) => cluster.Silos.Any(s =>
    {
        using var reader = new StreamReader(new FileStream(s.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Contains(text);
    });

    private static NodeCredentials Load(TlsFiles files) =>
        NodeCredentials.Load(files.CertificatePath, files.KeyPath, files.CaPath, NodeRole.Client);
}
