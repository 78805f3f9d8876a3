using System.Buffers.Binary;

namespace OrleansDedup.Cli.Tests;

/// <summary><c>simulate</c> as a user runs it: a small scenario file, the report as a table and as JSON, the two PNG
/// charts, disk shares measured on real images, and one clear line for a bad scenario.</summary>
public sealed class SimulateTests : IDisposable
{
    private const string Scenario = """
        # 6 hosts, 8 VMs, 40 steps of 300 s: small enough for a test, large enough that the balancer migrates.
        seed: 7
        hosts: 6
        vms: 8
        steps: 40
        """;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("orleans-dedup-simulate-");

    public void Dispose() => _work.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_work.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_scenario_file_gives_the_same_report_as_table_and_json_and_two_pngs()
    {
        var scenario = Write("small.yaml", Scenario);
        var charts = Path.Combine(_work.FullName, "charts");
        var json = Cli.RunWithoutStore("simulate", scenario, "--json", "--out", charts);
        Assert.True(json.ExitCode == 0, json.Error);
        var report = json.Json;
        Assert.Equal(7, report.GetProperty("seed").GetInt32());
        var strategies = report.GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(["none", "fixed", "rabin", "adaptive"], strategies.Select(s => s.GetProperty("strategy").GetString()));
        var migrations = strategies[0].GetProperty("migrations").GetInt32();
        Assert.True(migrations > 0, json.Out);
        Assert.All(strategies, s => Assert.Equal(migrations, s.GetProperty("migrations").GetInt32()));
        Assert.All(strategies.Skip(1), s => Assert.True(s.GetProperty("bytesSent").GetDouble() < strategies[0].GetProperty("bytesSent").GetDouble()));
        // No images named: every share is the assumed default, and the report says so.
        Assert.All(strategies, s => Assert.False(s.GetProperty("measuredDiskShares").GetBoolean()));
        foreach (var chart in report.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!))
        {
            Assert.Equal(charts, Path.GetDirectoryName(chart));
            AssertPng(chart, 1000, 560);
        }
        Assert.Equal(2, Directory.GetFiles(charts, "*.png").Length);

        var table = Cli.RunWithoutStore("simulate", scenario, "--out", charts);
        Assert.Equal(0, table.ExitCode);
        foreach (var text in new[] { "Migrations", "Total downtime", "SLA violation time", "adaptive", "assumed", $"{migrations:N0}" })
            Assert.Contains(text, table.Out);
    }

    [Fact]
    public void Images_named_in_the_scenario_give_measured_disk_shares()
    {
        // a: 1 MiB random, 1 MiB zeros. b: a's random MiB at the same offset, then 1 MiB of other random data.
        // Over both images fixed blocks see 25 % zeros and 25 % duplicates.
        var random = new byte[2 << 20];
        new Random(3).NextBytes(random);
        File.WriteAllBytes(Path.Combine(_work.FullName, "a.raw"), [.. random.AsSpan(0, 1 << 20), .. new byte[1 << 20]]);
        File.WriteAllBytes(Path.Combine(_work.FullName, "b.raw"), random);
        var scenario = Write("measured.yaml", Scenario + "\nimages: [a.raw, b.raw]\n");
        var result = Cli.RunWithoutStore("simulate", scenario, "--json", "--out", _work.FullName);
        Assert.True(result.ExitCode == 0, result.Error);
        var strategies = result.Json.GetProperty("strategies").EnumerateArray().ToDictionary(s => s.GetProperty("strategy").GetString()!);
        Assert.False(strategies["none"].GetProperty("measuredDiskShares").GetBoolean());
        foreach (var name in new[] { "fixed", "rabin", "adaptive" }) Assert.True(strategies[name].GetProperty("measuredDiskShares").GetBoolean(), name);
        Assert.Equal(0.25, strategies["fixed"].GetProperty("diskZeroShare").GetDouble(), 6);
        Assert.Equal(0.25, strategies["fixed"].GetProperty("diskDuplicateShare").GetDouble(), 6);
    }

    [Fact]
    public void A_bad_scenario_file_is_exit_code_3_with_one_line()
    {
        foreach (var (file, expected) in new[]
                 {
                     (Write("broken.yaml", "hosts: [1, 2"), "not valid YAML"),
                     (Write("invalid.yaml", "mode: sideways"), "mode must be precopy or postcopy"),
                     (Write("unknown.json", """{ "hostz": 3 }"""), "not valid JSON"),
                     (Path.Combine(_work.FullName, "missing.yaml"), "there is no scenario file"),
                 })
        {
            var result = Cli.RunWithoutStore("simulate", file, "--out", _work.FullName);
            Assert.Equal(3, result.ExitCode);
            var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, result.Error);
            Assert.StartsWith("error: ", lines[0]);
            Assert.Contains(expected, lines[0]);
            Assert.Empty(result.Out);
        }
        Assert.Empty(Directory.GetFiles(_work.FullName, "*.png"));
    }

    /// <summary>A real PNG: the signature, an IHDR chunk of the expected size first, an IEND chunk last.</summary>
    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.Equal("IEND"u8.ToArray(), bytes[^8..^4]);
    }
}
