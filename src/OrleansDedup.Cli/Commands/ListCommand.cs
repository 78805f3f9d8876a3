using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Rendering;
using OrleansDedup.Grains.Offline;
using Spectre.Console;

namespace OrleansDedup.Cli.Commands;

/// <summary>Lists the images in the store.</summary>
public sealed class ListCommand : StoreReadCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation) =>
        Print(settings, (await grid.Client.GetGrain<IStoreOperationsGrain>(0).Statistics()).Images);

    protected override async Task<int> Run(OfflineStore store, GridSettings settings, CancellationToken cancellation)
    {
        var images = new List<ImageInfo>();
        foreach (var name in await store.ImageNames())
            if (await store.GetInfo(name) is { } info) images.Add(info);
        return Print(settings, images.ToArray());
    }

    private static int Print(GridSettings settings, ImageInfo[] images)
    {
        if (settings.Json) Output.Json(images.Select(Output.ImageJson));
        else if (images.Length == 0) AnsiConsole.MarkupLine("The store holds no images.");
        else Output.Images(false, images);
        return ExitCodes.Ok;
    }
}
