using System.Diagnostics;
using System.Security.Cryptography;
using OrleansDedup.Integration.Tests.Infrastructure;
using OrleansDedup.Testing.Processes;
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
        Directory.CreateDirectory(Path.Combine(_directory, "data"));
        Directory.CreateDirectory(Path.Combine(_directory, "images"));
        var password = "pw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(SiloNode.Program);
        SiloNode.Scrub(info);
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{SiloNode.FreePort()}";
        info.Environment["OrleansDedup__Clustering"] = "postgresql";
        info.Environment["OrleansDedup__ConnectionString"] = $"Host=127.0.0.1;Port=1;Username=od_it_user;Password={password};Database=od_it_nowhere;Timeout=2";
        info.Environment["OrleansDedup__ClusterId"] = "it-nopg";
        info.Environment["OrleansDedup__ServiceId"] = "it-nopg";
        info.Environment["OrleansDedup__SiloName"] = "silo-nopg";
        info.Environment["OrleansDedup__SiloPort"] = SiloNode.FreePort().ToString();
        info.Environment["OrleansDedup__GatewayPort"] = SiloNode.FreePort().ToString();
        info.Environment["OrleansDedup__AdvertisedIPAddress"] = "127.0.0.1";
        info.Environment["OrleansDedup__DataDirectory"] = Path.Combine(_directory, "data");
        info.Environment["OrleansDedup__ImageRoots__0"] = Path.Combine(_directory, "images");
        info.Environment["OrleansDedup__ApiKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var ca = TestCertificates.CreateCa("nopg CA");
        foreach (var (key, value) in ClusterCertificates.SiloEnvironment(ca.WriteNode(Path.Combine(_directory, "tls"), "silo-nopg", TestCertificates.SiloUsages)))
            info.Environment[key] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        ChildProcesses.Track(process);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(75));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the silo was still running {clock.Elapsed.TotalSeconds:0} s after start with PostgreSQL unreachable");
            }
            await process.WaitForExitAsync();
            var elapsed = clock.Elapsed;
            var error = await stderr;
            var output = await stdout;
            var context = $"exit {process.ExitCode} after {elapsed.TotalSeconds:0.0} s\nstderr:\n{error}\nstdout:\n{output}";
            log.WriteLine(context);

            Assert.True(process.ExitCode != 0, context);
            Assert.True(elapsed < TimeSpan.FromSeconds(60), $"took too long to give up: {context}");
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.Length == 1, $"expected exactly one line on stderr: {context}");
            Assert.Contains("127.0.0.1", lines[0]);
            Assert.Matches(@"127\.0\.0\.1:1\b|port 1\b", lines[0]);
            Assert.DoesNotContain(password, error + output);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            ChildProcesses.Forget(process);
        }
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
