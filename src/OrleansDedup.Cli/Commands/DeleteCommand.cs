using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Rendering;
using Spectre.Console;

namespace OrleansDedup.Cli.Commands;

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
