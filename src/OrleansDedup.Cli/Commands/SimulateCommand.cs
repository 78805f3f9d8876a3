using System.ComponentModel;
using System.Text.Json;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Cli.Rendering;
using OrleansDedup.Migration.Scenario;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

public sealed class SimulateSettings : CommandSettings
{
    [CommandArgument(0, "[SCENARIO]")]
    [Description("Scenario file (.yaml, .yml or .json); without one, CloudSim's IqrMmt set-up: 50 hosts, 50 VMs, one day.")]
    public string? Scenario { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Overrides the scenario's seed.")]
    public int? Seed { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Overrides the scenario's number of 300 s steps.")]
    public int? Steps { get; init; }

    [CommandOption("--compare <FILE>")]
    [Description("Output of `compare --json`: its overall measured rates set each strategy's disk dedup rate (fixed, rabin, adaptive); the zero share within it stays assumed. Or name images in the scenario to measure both.")]
    public string? Compare { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Where to write simulate-time.png and simulate-bytes.png (default: the current directory).")]
    public string Out { get; init; } = ".";

    [CommandOption("--json")]
    [Description("Print machine-readable JSON instead of tables.")]
    public bool Json { get; init; }
}

/// <summary>Runs the CloudSim-style load-balancing scenario once per dedup strategy (same seed, same decisions) and
/// compares migrations, migration time, downtime, bytes, energy and SLA violation time; deterministic for a seed.
/// The disk shares of fixed, rabin and adaptive are measured on real images when the scenario names them (or come from
/// <c>--compare</c>); otherwise they are the file's or the defaults', and the report says they are assumed.</summary>
public sealed class SimulateCommand : AsyncCommand<SimulateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SimulateSettings settings, CancellationToken cancellation)
    {
        ScenarioSpec spec;
        try
        {
            // A scenario file that is missing, unreadable or invalid is bad input (3).
            spec = settings.Scenario is null ? new ScenarioSpec() : Load(settings.Scenario);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return GridCommand<GridSettings>.Fail(e.Message, ExitCodes.BadInput);
        }
        try
        {
            if (settings.Seed is { } seed) spec.Seed = seed;
            if (settings.Steps is { } steps) spec.Steps = steps;
            if (settings.Compare is not null && spec.Images.Count > 0)
                throw new UserError("the scenario names images to measure; --compare would override them: use one or the other", ExitCodes.Usage);
            if (settings.Compare is not null) ApplyCompare(spec, settings.Compare);
            spec.Validate();
            if (spec.Images.Count > 0) await Measure(spec, cancellation);
            Report(ScenarioRunner.Run(spec), settings);
            return ExitCodes.Ok;
        }
        catch (UserError e)
        {
            return GridCommand<GridSettings>.Fail(e.Message, e.ExitCode);
        }
        catch (IngestException e)
        {
            return GridCommand<GridSettings>.Fail(e.Message, GridCommand<GridSettings>.ExitCodeOf(e.Kind));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or JsonException or KeyNotFoundException)
        {
            return GridCommand<GridSettings>.Fail(e.Message, ExitCodes.Usage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return GridCommand<GridSettings>.Fail(e.Message, ExitCodes.BadInput);
        }
    }

    private static void Report(ScenarioReport report, SimulateSettings settings)
    {
        Directory.CreateDirectory(settings.Out);
        var timeChart = Path.GetFullPath(Path.Combine(settings.Out, "simulate-time.png"));
        var bytesChart = Path.GetFullPath(Path.Combine(settings.Out, "simulate-bytes.png"));
        var names = report.Strategies.Select(s => s.Strategy).ToArray();
        GroupedBarChart.Write(timeChart, names,
            [("total", report.Strategies.Select(s => s.TotalMigrationSeconds).ToArray()), ("downtime x 100", report.Strategies.Select(s => s.TotalDowntimeSeconds * 100).ToArray())],
            "Migration time (s)", $"Migration time by strategy ({report.Hosts} hosts, {report.Vms} VMs, seed {report.Seed})");
        GroupedBarChart.Write(bytesChart, names,
            [("memory", report.Strategies.Select(s => s.MemoryBytes / 1e9).ToArray()), ("disk", report.Strategies.Select(s => s.DiskBytes / 1e9).ToArray()),
             ("metadata", report.Strategies.Select(s => s.MetadataBytes / 1e9).ToArray())],
            "Bytes sent (GB)", "Migration traffic by strategy");
        if (settings.Json)
        {
            Output.Json(new
            {
                report.Name, report.Seed, report.Hosts, report.Vms, report.Steps, report.StepSeconds,
                HostEnergyKWh = Math.Round(report.HostEnergyKWh, 6), report.OverloadSeconds,
                Charts = new[] { timeChart, bytesChart },
                Strategies = report.Strategies.Select(s => new
                {
                    s.Strategy, s.Migrations, s.TotalMigrationSeconds, s.MeanMigrationSeconds, s.TotalDowntimeSeconds, s.TotalStallSeconds, s.NotConverged,
                    s.BytesSent, s.MemoryBytes, s.DiskBytes, s.MetadataBytes, s.SavedZero, s.SavedDedup, s.SavedPresent,
                    s.MigrationEnergyJoules, s.EnergyKWh, s.SlaViolationSeconds, s.DiskZeroShare, s.DiskDuplicateShare, s.MeasuredDiskShares,
                }),
            });
            return;
        }
        var table = new Table().AddColumn("");
        foreach (var n in names) table.AddColumn(Markup.Escape(n));
        void Row(string label, Func<StrategyOutcome, string> cell) => table.AddRow([label, .. report.Strategies.Select(cell)]);
        Row("Migrations", s => $"{s.Migrations:N0}");
        Row("Total migration time", s => $"{s.TotalMigrationSeconds:N1} s");
        Row("Mean migration time", s => $"{s.MeanMigrationSeconds:N2} s");
        Row("Total downtime", s => $"{s.TotalDowntimeSeconds:N2} s");
        if (report.Strategies.Any(s => s.TotalStallSeconds > 0)) Row("Post-copy fault stalls", s => $"{s.TotalStallSeconds:N1} s");
        Row("Not converged", s => $"{s.NotConverged:N0}");
        Row("Bytes sent", s => Sizes.Format(s.BytesSent));
        Row("  saved: zero / dedup / present", s => $"{Sizes.Format(s.SavedZero)} / {Sizes.Format(s.SavedDedup)} / {Sizes.Format(s.SavedPresent)}");
        Row("Energy (hosts + migrations)", s => $"{s.EnergyKWh:N3} kWh");
        Row("SLA violation time", s => $"{s.SlaViolationSeconds:N0} s");
        Row("Disk shares: zero / duplicate", s => s is { DiskZeroShare: 0, DiskDuplicateShare: 0, MeasuredDiskShares: false } ? "-"
            : $"{s.DiskZeroShare:P1} / {s.DiskDuplicateShare:P1} {(s.MeasuredDiskShares ? "measured" : "assumed")}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{report.Hosts} hosts, {report.Vms} VMs, {report.Steps} steps of {report.StepSeconds:0} s, seed {report.Seed}; " +
            $"host overload {report.OverloadSeconds:N0} s. Charts: {Markup.Escape(timeChart)}, {Markup.Escape(bytesChart)}");
    }

    private static ScenarioSpec Load(string path)
    {
        if (!File.Exists(path)) throw new IOException($"there is no scenario file '{path}'");
        return ScenarioSpec.Load(path);
    }

    /// <summary>Ingests the scenario's images with each of fixed, rabin and adaptive that the scenario compares, each into
    /// a scratch store (as <c>compare</c> does; the user's store is not touched), and sets that strategy's disk shares
    /// from what the ingests found: zero bytes and duplicate bytes over all image bytes.</summary>
    private static async Task Measure(ScenarioSpec spec, CancellationToken cancellation)
    {
        var sources = spec.Images.Select(p => new ImageSource(Path.GetFileName(p), p)).ToArray();
        ImagePaths.Check(sources);
        if (spec.Strategies.Count == 0) spec.Strategies = StrategySpec.Defaults();
        foreach (var strategy in spec.Strategies.Where(s => s.Dedup))
        {
            var chunking = Enum.GetValues<ChunkingStrategy>().Where(c => c.ToString().Equals(strategy.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (chunking.Length == 0) continue; // a strategy of another name keeps its assumed shares
            var outcome = await ScratchStore.Run(new GridSettings(), sources, chunking[0], cancellation);
            var stats = outcome.Report.Images.Aggregate(DedupStats.Empty, (sum, i) => sum + i.Stats);
            var total = (double)outcome.Report.Images.Sum(i => i.Size);
            if (total > 0) strategy.Measure(stats.ZeroBytes / total, stats.DuplicateBytes / total);
        }
    }

    /// <summary>Reads <c>compare --json</c> output: the "overall" row's rate per strategy becomes that strategy's
    /// dedupRate, for strategies of the scenario (or the defaults) that do not set a disk duplicate share themselves.</summary>
    private static void ApplyCompare(ScenarioSpec spec, string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var overall = document.RootElement.GetProperty("images").EnumerateArray().FirstOrDefault(i => i.GetProperty("name").GetString() == "overall");
        if (overall.ValueKind != JsonValueKind.Object) throw new FormatException($"'{path}' has no overall row; is it `compare --json` output?");
        if (spec.Strategies.Count == 0) spec.Strategies = StrategySpec.Defaults();
        foreach (var rate in overall.GetProperty("rates").EnumerateObject())
        {
            var strategy = spec.Strategies.FirstOrDefault(s => string.Equals(s.Name, rate.Name, StringComparison.OrdinalIgnoreCase));
            if (strategy is null) spec.Strategies.Add(strategy = new StrategySpec { Name = rate.Name });
            strategy.DedupRate = rate.Value.GetDouble();
            strategy.DiskDuplicate = null;
        }
    }
}
