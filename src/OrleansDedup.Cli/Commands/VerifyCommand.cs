using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Rendering;
using Spectre.Console;

namespace OrleansDedup.Cli.Commands;

/// <summary>Re-reads every chunk and checks recipes and reference counts.</summary>
public sealed class VerifyCommand : GridCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        var report = await grid.Client.GetGrain<IStoreOperationsGrain>(0).Verify();
        if (settings.Json)
        {
            Output.Json(report);
        }
        else
        {
            AnsiConsole.MarkupLine($"Checked {report.Images} images, {report.Chunks:N0} chunks, {report.Aliases:N0} aliases, {Sizes.Format(report.BytesChecked)}.");
            foreach (var p in report.Problems) Console.Error.WriteLine($"problem: {p}");
            if (report.UnreferencedEntries > 0)
                AnsiConsole.MarkupLine($"{report.UnreferencedEntries:N0} index entries are used by no image (deleted images, interrupted ingests); `gc` reclaims them.");
            AnsiConsole.MarkupLine(report.Ok ? "[green]The store is sound.[/]" : $"[red]{report.Problems.Length} problems found.[/]");
        }
        return report.Ok ? ExitCodes.Ok : ExitCodes.VerifyFailed;
    }
}
