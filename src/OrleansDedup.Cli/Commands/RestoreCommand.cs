using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Cli.Rendering;
using OrleansDedup.Grains.Offline;
using OrleansDedup.Grains.Operations;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.GuestDisks;
using Spectre.Console;

namespace OrleansDedup.Cli.Commands;

/// <summary>Writes an image back, byte-identical, checking every chunk and the image digest. The original file of an
/// image in the embedded store is written from the store's files; other formats, and a cluster's images, through the grid.</summary>
public sealed class RestoreCommand : StoreReadCommand<RestoreSettings>
{
    protected override bool ReadsFiles(RestoreSettings settings) => settings.GuestFormat is null;

    protected override async Task<int> Run(IGrid grid, RestoreSettings settings, CancellationToken cancellation)
    {
        var output = OutputPath(settings);
        var info = await grid.Client.GetGrain<IImageGrain>(settings.Image).GetInfo() ?? throw NoSuchImage(settings);
        var started = DateTime.UtcNow;
        var guest = settings.GuestFormat;
        var total = guest is not null ? GuestDiskExport.ProgressTotal(info) : info.Size;
        await ProgressView.Run(settings.Json, settings.Image, total, progress => guest is { } format
            ? GuestDiskExport.ToFile(grid.Client, info, output, format, progress, cancellation)
            : ImageDownload.ToFile(grid.Client, info, output, progress, cancellation));
        return Report(info, settings, output, started);
    }

    protected override async Task<int> Run(OfflineStore store, RestoreSettings settings, CancellationToken cancellation)
    {
        var output = OutputPath(settings);
        var info = await store.GetInfo(settings.Image) ?? throw NoSuchImage(settings);
        var started = DateTime.UtcNow;
        var restorer = new ImageRestorer(store, store.Chunks, store.Layout);
        try
        {
            await ProgressView.Run(settings.Json, settings.Image, info.Size, progress => restorer.Restore(info.Name, output, progress, cancellation));
        }
        catch (FormatLimitException e)
        {
            throw ImageDownload.CannotHold(info.Name, e);
        }
        return Report(info, settings, output, started);
    }

    private static string OutputPath(RestoreSettings settings)
    {
        var output = Path.GetFullPath(settings.Out!);
        if (Directory.Exists(output)) throw new UserError($"{output} is a directory; give a file path", ExitCodes.Usage);
        return output;
    }

    private static UserError NoSuchImage(RestoreSettings settings) =>
        new($"there is no image named '{settings.Image}'; see `list`", ExitCodes.NotFound);

    private static int Report(ImageInfo info, RestoreSettings settings, string output, DateTime started)
    {
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var guest = settings.GuestFormat;
        var written = guest?.Name() ?? "original";
        if (settings.Json)
        {
            Output.Json(new { image = info.Name, output, format = written, size = new FileInfo(output).Length, digest = info.Digest, seconds });
        }
        else
        {
            AnsiConsole.MarkupLine($"Restored [bold]{Markup.Escape(info.Name)}[/] ({Sizes.Format(info.Size)}) to {Markup.Escape(output)}" + guest switch
        {
            ImageFormat.Raw => " as its raw guest disk: digest verified.",
            ImageFormat.Vhd => " as its guest disk in a fixed VHD: digest verified.",
            ImageFormat.Vdi => " as its guest disk in a dynamic VDI: digest verified.",
            ImageFormat.Qcow2 => " as its guest disk in qcow2: digest verified.",
            ImageFormat.Vmdk => " as its guest disk in a sparse VMDK: digest verified.",
            _ => ": digest verified.",
        });
        }

        return ExitCodes.Ok;
    }
}
