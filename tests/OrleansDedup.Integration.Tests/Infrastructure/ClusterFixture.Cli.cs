using System.Diagnostics;
using System.Text.Json;
using OrleansDedup.Testing.Tls;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>The CLI against the fixture's cluster, as an operator with the cluster's client certificate runs it.</summary>
public partial class ClusterFixture
{
    /// <summary>Runs <c>orleans-dedup ARGS --gateway SILO --cluster-id .. --service-id .. --json</c> with the
    /// cluster's client certificate.</summary>
    public Task<CliResult> Cli(SiloNode gateway, params string[] args) => Cli(gateway, null, args);

    public Task<CliResult> Cli(SiloNode gateway, TimeSpan? timeout, params string[] args) =>
        CliAs(Certificates.Client, gateway.Gateway, timeout, args);

    /// <summary>As <see cref="Cli(SiloNode, string[])"/>, but a run still going after <paramref name="timeout"/> is
    /// killed and returned with <see cref="CliResult.TimedOut"/> set.</summary>
    public Task<CliResult> CliWithin(SiloNode gateway, TimeSpan timeout, params string[] args) =>
        CliProcess.RunAsync(ClusterArgs(gateway.Gateway, args), timeout, returnOnTimeout: true, ClusterCertificates.ClientEnvironment(Certificates.Client));

    /// <summary>Runs the CLI against <paramref name="gateway"/> (HOST:PORT) presenting <paramref name="client"/>'s
    /// files, or no certificate at all.</summary>
    public Task<CliResult> CliAs(TlsFiles? client, string gateway, TimeSpan? timeout, params string[] args) =>
        CliProcess.RunAsync(ClusterArgs(gateway, args), timeout, environment: ClusterCertificates.ClientEnvironment(client));

    /// <summary>Runs the CLI with no gateway named: it reads them from the cluster's PostgreSQL membership table
    /// (ORLEANS_DEDUP_CLUSTER). Past <paramref name="timeout"/> it is killed and returned as timed out.</summary>
    public Task<CliResult> CliViaMembership(TimeSpan timeout, string[] args, Action<Process>? started = null)
    {
        var environment = ClusterCertificates.ClientEnvironment(Certificates.Client);
        environment["ORLEANS_DEDUP_CLUSTER"] = ConnectionString;
        return CliProcess.RunAsync([.. args, "--cluster-id", ClusterId, "--service-id", ServiceId, "--json"], timeout, returnOnTimeout: true,
            environment, started);
    }

    private string[] ClusterArgs(string gateway, string[] args) =>
        [.. args, "--gateway", gateway, "--cluster-id", ClusterId, "--service-id", ServiceId, "--json"];

    public async Task<CliResult> CliOk(SiloNode gateway, params string[] args)
    {
        var result = await Cli(gateway, args);
        Assert.True(result.ExitCode == 0, $"expected exit 0:\n{result}\n{Diagnostics()}");
        return result;
    }

    /// <summary>Ingests through the CLI and asserts success; returns the image's JSON.</summary>
    public async Task<JsonElement> IngestOk(SiloNode gateway, string path, string name)
    {
        var result = await CliOk(gateway, "ingest", path, "--name", name);
        var images = result.Json;
        Assert.Equal(1, images.GetArrayLength());
        Assert.Equal(name, images[0].GetProperty("name").GetString());
        return images[0];
    }

    /// <summary>Verify through the CLI: exit 0 and no problems.</summary>
    public async Task<JsonElement> VerifyOk(SiloNode gateway)
    {
        var result = await Cli(gateway, "verify");
        Assert.True(result.ExitCode == 0, $"verify failed:\n{result}\n{Diagnostics()}");
        var report = result.Json;
        Assert.Equal(0, report.GetProperty("problems").GetArrayLength());
        return report;
    }

    /// <summary>Restores through the CLI into the output directory and asserts it equals <paramref name="original"/>.</summary>
    public async Task RestoreIdentical(SiloNode gateway, string name, string original)
    {
        var output = Path.Combine(OutputDirectory, $"{name}-{Guid.NewGuid():N}.restored");
        var result = await CliOk(gateway, "restore", name, "--out", output);
        Assert.Equal(name, result.Json.GetProperty("image").GetString());
        DiskImages.AssertIdentical(original, output);
        File.Delete(output);
    }

    public async Task<JsonElement> Stats(SiloNode gateway) => (await CliOk(gateway, "stats")).Json;
}
