using OrleansDedup.Chunking;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

/// <summary>Runs fixed, guest, rabin and adaptive on the same images, each in a scratch store, and compares their dedup rates
/// per image and overall, as the published method does. The user's store is not touched.</summary>
public sealed class CompareCommand : AsyncCommand<CompareSettings>
{
    private static readonly ChunkingStrategy[] Strategies = [ChunkingStrategy.Fixed, ChunkingStrategy.Guest, ChunkingStrategy.Rabin, ChunkingStrategy.Adaptive];

    public override async Task<int> ExecuteAsync(CommandContext context, CompareSettings settings, CancellationToken cancellation)
    {
        try
        {
            ImagePaths.Check(settings.Sources);
            var outcomes = new List<ScratchStore.Outcome>();
            foreach (var strategy in Strategies)
                outcomes.Add(await ScratchStore.Run(settings, settings.Sources, strategy, cancellation));
            var chart = Path.GetFullPath(settings.Chart);
            var names = settings.Sources.Select(s => s.Name).Append("overall").ToArray();
            double Rate(ScratchStore.Outcome o, string name) =>
                name == "overall" ? o.Report.DedupRate : o.Report.Images.Single(i => i.Name == name).DedupRate;
            GroupedBarChart.Write(chart, names, outcomes.Select(o => (o.Strategy.ToString().ToLowerInvariant(), names.Select(n => Rate(o, n)).ToArray())).ToArray(),
                "Deduplication rate (%)", "Deduplication rate by strategy", yMax: 100);
            if (settings.Json)
            {
                Output.Json(new
                {
                    chart,
                    images = names.Select(n => new { name = n, rates = outcomes.ToDictionary(o => o.Strategy.ToString().ToLowerInvariant(), o => Math.Round(Rate(o, n), 4)) }),
                });
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn("Image");
            foreach (var o in outcomes) table.AddColumn(o.Strategy.ToString().ToLowerInvariant());
            foreach (var n in names) table.AddRow([Markup.Escape(n), .. outcomes.Select(o => $"{Rate(o, n):0.00} %")]);
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Chart written to {Markup.Escape(chart)}");
            return ExitCodes.Ok;
        }
        catch (UserError e)
        {
            return GridCommand<GridSettings>.Fail(e.Message, e.ExitCode);
        }
        catch (Abstractions.Images.IngestException e)
        {
            return GridCommand<GridSettings>.Fail(e.Message, GridCommand<GridSettings>.ExitCodeOf(e.Kind));
        }
    }
}
