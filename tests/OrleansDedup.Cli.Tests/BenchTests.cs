using OrleansDedup.Chunking;

namespace OrleansDedup.Cli.Tests;

/// <summary>`bench` sets an ingest's CPU seconds beside single-core SHA-256 over the bytes ingest hashes: the images'
/// non-zero 4 KiB blocks.</summary>
[Collection(ImageCollection.Name)]
public sealed class BenchTests(ImageFixtures images)
{
    [Fact]
    public void Bench_reports_cpu_seconds_against_sha256_seconds_over_the_non_zero_blocks()
    {
        var run = Cli.RunWithoutStore("bench", images.Raw, "--strategy", "fixed", "--json");
        Assert.True(run.ExitCode == 0, run.Error);

        Assert.Equal(NonZeroBlockBytes(images.Raw), run.Json.GetProperty("hashedBytes").GetInt64());
        var sha256Seconds = run.Json.GetProperty("sha256Seconds").GetDouble();
        Assert.True(sha256Seconds > 0);
        var fixedRun = Assert.Single(run.Json.GetProperty("runs").EnumerateArray());
        var cpu = fixedRun.GetProperty("cpuSeconds").GetDouble();
        Assert.True(cpu > 0);
        // Both figures are printed rounded (3 decimals), so the ratio is checked to within a tenth.
        var ratio = fixedRun.GetProperty("cpuRatioToSha256Seconds").GetDouble();
        Assert.InRange(ratio, cpu / sha256Seconds * 0.9, cpu / sha256Seconds * 1.1);
    }

    private static long NonZeroBlockBytes(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var total = 0L;
        for (var at = 0; at < bytes.Length; at += 4096)
        {
            var block = bytes.AsSpan(at, Math.Min(4096, bytes.Length - at));
            if (!ZeroBlock.IsZero(block)) total += block.Length;
        }
        return total;
    }
}
