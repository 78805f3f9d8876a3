using System.Diagnostics;
using System.Security.Cryptography;
using OrleansDedup.Integration.Tests.Infrastructure;
using OrleansDedup.Testing.Tls;
using Xunit.Abstractions;

namespace OrleansDedup.Integration.Tests;

/// <summary>A silo whose PostgreSQL cannot be reached at start-up gives up within a bound, with one clear line.</summary>
public sealed class PostgreSqlUnreachableTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "od-it-nopg-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Silo_exits_nonzero_with_one_line_naming_host_and_port_but_not_the_password()
    {
        var logs = Directory.CreateDirectory(Path.Combine(_directory, "logs")).FullName;
        var password = "pw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var environment = new Dictionary<string, string>
        {
            ["OrleansDedup__Clustering"] = "postgresql",
            ["OrleansDedup__ConnectionString"] = $"Host=127.0.0.1;Port=1;Username=od_it_user;Password={password};Database=od_it_nowhere;Timeout=2",
            ["OrleansDedup__ClusterId"] = "it-nopg",
            ["OrleansDedup__ServiceId"] = "it-nopg",
            ["OrleansDedup__SiloName"] = "silo-nopg",
            ["OrleansDedup__AdvertisedIPAddress"] = "127.0.0.1",
            ["OrleansDedup__DataDirectory"] = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName,
            ["OrleansDedup__ImageRoots__0"] = Directory.CreateDirectory(Path.Combine(_directory, "images")).FullName,
            ["OrleansDedup__ApiKey"] = apiKey,
        };
        using var ca = TestCertificates.CreateCa("nopg CA");
        foreach (var (key, value) in ClusterCertificates.SiloEnvironment(ca.WriteNode(Path.Combine(_directory, "tls"), "silo-nopg", TestCertificates.SiloUsages)))
            environment[key] = value;

        var clock = Stopwatch.StartNew();
        string logPath;
        int exitCode;
        string error;
        await using (var silo = SiloNode.Start("silo-nopg", environment, logs, apiKey))
        {
            logPath = silo.LogPath;
            try
            {
                await silo.WaitForExitAsync(TimeSpan.FromSeconds(75));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"the silo was still running {clock.Elapsed.TotalSeconds:0} s after start with PostgreSQL unreachable");
            }
            exitCode = silo.ExitCode;
            error = silo.Stderr;
        }
        var elapsed = clock.Elapsed;
        var everything = await File.ReadAllTextAsync(logPath);
        var context = $"exit {exitCode} after {elapsed.TotalSeconds:0.0} s\nstderr:\n{error}\nall output:\n{everything}";
        log.WriteLine(context);

        Assert.True(exitCode != 0, context);
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"took too long to give up: {context}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected exactly one line on stderr: {context}");
        Assert.Contains("127.0.0.1", lines[0]);
        Assert.Matches(@"127\.0\.0\.1:1\b|port 1\b", lines[0]);
        Assert.DoesNotContain(password, everything);
        Assert.DoesNotContain("   at ", error);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
