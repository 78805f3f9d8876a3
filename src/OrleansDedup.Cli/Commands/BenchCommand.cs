using System.Diagnostics;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

/// <summary>
/// End-to-end ingest benchmark: each strategy ingests the images into a fresh scratch store (embedded grid, store
/// writes included), against a baseline measured in the same run: single-core SHA-256 over the same bytes. A strategy's
/// CPU seconds are set against the seconds one core takes, at the baseline's rate, to SHA-256 the bytes the strategy
/// fingerprinted: its non-zero blocks and its content-defined chunks (the adaptive method hashes its residue twice).
/// Input is read once first so that every pass sees the page cache.
/// </summary>
public sealed class BenchCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        try
        {
            ImagePaths.Check(settings.Sources);
            var bytes = settings.Sources.Sum(s => new FileInfo(s.Path).Length);
            Sha256Baseline(settings.Sources);
            var (shaSeconds, hashed) = Sha256Baseline(settings.Sources);
            var baseline = bytes / shaSeconds;
            var rows = new List<object>();
            var table = new Table().AddColumns("Strategy", "Throughput", "x SHA-256 baseline", "CPU s", "Hashed", "x SHA-256 s", "Dedup rate",
                "Stored", "Packs on disk", "Metadata", "Compression", "Peak memory");
            table.AddRow("sha-256 (1 core)", $"{baseline / 1e6:0} MB/s", "1.00", $"{shaSeconds:0.00}", Sizes.Format(hashed), "1.00",
                "", "", "", "", "", "");
            foreach (var strategy in settings.ParsedStrategies)
            {
                PeakMemory.Reset();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var outcome = await ScratchStore.Run(settings, settings.Sources, strategy, cancellation);
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                var peak = PeakMemory.Read();
                var throughput = bytes / outcome.Seconds;
                var fingerprinted = outcome.Report.Images.Sum(i => i.Stats.HashedBytes);
                // Images of nothing but zeros are hashed by nobody: no SHA-256 seconds to set CPU against.
                var shaSecondsOfRun = hashed > 0 ? shaSeconds * fingerprinted / hashed : 0;
                var cpuRatio = shaSecondsOfRun > 0 ? cpu / shaSecondsOfRun : 0;
                var name = strategy.ToString().ToLowerInvariant();
                rows.Add(new
                {
                    strategy = name,
                    megabytesPerSecond = Math.Round(throughput / 1e6, 1),
                    ratioToSha256 = Math.Round(throughput / baseline, 3),
                    cpuSeconds = Math.Round(cpu, 2),
                    hashedBytes = fingerprinted,
                    sha256SecondsOfHashedBytes = Math.Round(shaSecondsOfRun, 3),
                    cpuRatioToSha256Seconds = Math.Round(cpuRatio, 3),
                    dedupRate = Math.Round(outcome.Report.DedupRate, 3),
                    storedBytes = outcome.Report.StoredBytes,
                    packBytes = outcome.Report.PackBytes,
                    metadataBytes = outcome.Report.MetadataBytes,
                    compression = outcome.Report.Compression,
                    compressionRatio = Math.Round(outcome.Report.CompressionRatio, 3),
                    peakMemoryBytes = peak,
                });
                table.AddRow(name, $"{throughput / 1e6:0} MB/s", $"{throughput / baseline:0.00}", $"{cpu:0.00}", Sizes.Format(fingerprinted),
                    $"{cpuRatio:0.00}", $"{outcome.Report.DedupRate:0.00} %",
                    Sizes.Format(outcome.Report.StoredBytes), Sizes.Format(outcome.Report.PackBytes), Sizes.Format(outcome.Report.MetadataBytes),
                    $"{outcome.Report.Compression} {outcome.Report.CompressionRatio:0.00}x", Sizes.Format(peak));
            }
            if (settings.Json)
            {
                Output.Json(new
                {
                    inputBytes = bytes, hashedBytes = hashed, sha256Seconds = Math.Round(shaSeconds, 3),
                    sha256MegabytesPerSecond = Math.Round(baseline / 1e6, 1), runs = rows,
                });
            }
            else
            {
                AnsiConsole.MarkupLine($"{settings.Sources.Length} images, {Sizes.Format(bytes)} ({Sizes.Format(hashed)} in non-zero 4 KiB " +
                                       $"blocks, which the baseline hashes), {Environment.ProcessorCount} cores; " +
                                       "CPU s: the whole process's, silo start included; " +
                                       "x SHA-256 s: over one core's SHA-256 seconds for the bytes the strategy hashed, at the baseline's rate");
                AnsiConsole.Write(table);
            }
            return ExitCodes.Ok;
        }
        catch (UserError e)
        {
            return GridCommand<GridSettings>.Fail(e.Message, e.ExitCode);
        }
    }

    /// <summary>Seconds that one core takes to SHA-256 the non-zero 4 KiB blocks of the images, reading them as ingest
    /// does (zero blocks are never hashed), and how many bytes those blocks hold.</summary>
    private static (double Seconds, long Bytes) Sha256Baseline(IEnumerable<ImageSource> sources)
    {
        var buffer = new byte[8 << 20];
        var hashed = 0L;
        var clock = Stopwatch.StartNew();
        foreach (var source in sources)
        {
            using var file = File.OpenRead(source.Path);
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                for (var at = 0; at < n; at += 4096)
                {
                    var block = buffer.AsSpan(at, Math.Min(4096, n - at));
                    if (ZeroBlock.IsZero(block)) continue;
                    Fingerprint.Compute(block);
                    hashed += block.Length;
                }
            }
        }
        return (clock.Elapsed.TotalSeconds, hashed);
    }
}
