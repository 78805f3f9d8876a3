using OrleansDedup.Chunking;

namespace OrleansDedup.Cli.Tests;

/// <summary>`bench` sets an ingest's CPU seconds beside single-core SHA-256 over the bytes the ingest hashed: the images'
/// non-zero 4 KiB blocks, and for the adaptive method its residue's chunks too.</summary>
[Collection(ImageCollection.Name)]
public sealed class BenchTests(ImageFixtures images)
{
    [Fact]
    public void Bench_reports_cpu_seconds_against_sha256_seconds_over_the_bytes_each_strategy_hashed()
    {
        // Segments smaller than the image: the adaptive method chunks a residue only in images of several segments.
        var run = Cli.RunWithoutStore("bench", images.Raw, "--strategy", "fixed", "--strategy", "adaptive", "--segment-size", "8M", "--json");
        Assert.True(run.ExitCode == 0, run.Error);

        var nonZero = NonZeroBlockBytes(images.Raw);
        Assert.Equal(nonZero, run.Json.GetProperty("hashedBytes").GetInt64());
        var sha256Seconds = run.Json.GetProperty("sha256Seconds").GetDouble();
        Assert.True(sha256Seconds > 0);
        var runs = run.Json.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(2, runs.Length);

        // Fixed blocks hash each non-zero block once; the adaptive method hashes them, then its residue's chunks.
        Assert.Equal(nonZero, runs[0].GetProperty("hashedBytes").GetInt64());
        Assert.InRange(runs[1].GetProperty("hashedBytes").GetInt64(), nonZero + 1, 2 * nonZero);
        foreach (var strategy in runs)
        {
            var cpu = strategy.GetProperty("cpuSeconds").GetDouble();
            Assert.True(cpu > 0);
            var shaSeconds = sha256Seconds * strategy.GetProperty("hashedBytes").GetInt64() / nonZero;
            Assert.Equal(shaSeconds, strategy.GetProperty("sha256SecondsOfHashedBytes").GetDouble(), 0.002);
            // The figures are printed rounded (3 decimals), so the ratio is checked to within a tenth.
            var ratio = strategy.GetProperty("cpuRatioToSha256Seconds").GetDouble();
            Assert.InRange(ratio, cpu / shaSeconds * 0.9, cpu / shaSeconds * 1.1);
        }
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
