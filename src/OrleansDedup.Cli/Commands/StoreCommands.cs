using System.ComponentModel;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.ImageFormats;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

public sealed class ImageSettings : GridSettings
{
    [CommandArgument(0, "<IMAGE>")]
    [Description("Image names, as `list` shows them.")]
    public string[] Images { get; init; } = [];
}

/// <summary>Re-reads every chunk and checks recipes and reference counts.</summary>
public sealed class VerifyCommand : GridCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        var report = await grid.Client.GetGrain<IStoreOperationsGrain>(0).Verify();
        if (settings.Json) Output.Json(report);
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

/// <summary>Removes images and releases their references; `gc` then reclaims the space.</summary>
public sealed class DeleteCommand : GridCommand<ImageSettings>
{
    protected override async Task<int> Run(IGrid grid, ImageSettings settings, CancellationToken cancellation)
    {
        var missing = new List<string>();
        foreach (var name in settings.Images)
            if (!await grid.Client.GetGrain<IImageGrain>(name).Delete()) missing.Add(name);
        var deleted = settings.Images.Except(missing).ToArray();
        if (settings.Json) Output.Json(new { deleted, missing });
        else if (deleted.Length > 0) AnsiConsole.MarkupLine($"Deleted {Markup.Escape(string.Join(", ", deleted))}; run gc to reclaim the space.");
        return missing.Count == 0 ? ExitCodes.Ok : Fail($"there is no image named '{missing[0]}'; see `list`", ExitCodes.NotFound);
    }
}

/// <summary>Reclaims pack space that no image references.</summary>
public sealed class GcCommand : GridCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        var result = await grid.Client.GetGrain<IGarbageCollectorGrain>(0).Collect();
        if (settings.Json)
        {
            Output.Json(new
            {
                result.PacksDeleted, result.PacksCompacted, result.BytesBefore, result.BytesAfter, result.BytesReclaimed,
                result.EntriesSwept, result.AbandonedIngests, result.SweepSkipped,
            });
            return ExitCodes.Ok;
        }
        AnsiConsole.MarkupLine($"Reclaimed {Sizes.Format(result.BytesReclaimed)}: {result.PacksDeleted} packs deleted, {result.PacksCompacted} compacted; packs now hold {Sizes.Format(result.BytesAfter)}.");
        if (result.SweepSkipped) AnsiConsole.MarkupLine("The index was not swept: an ingest is running.");
        else if (result.EntriesSwept + result.AbandonedIngests > 0)
            AnsiConsole.MarkupLine($"Swept {result.EntriesSwept:N0} unused index entries and removed {result.AbandonedIngests} abandoned ingests.");
        return ExitCodes.Ok;
    }
}
