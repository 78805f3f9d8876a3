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

public sealed class RestoreSettings : GridSettings
{
    [CommandArgument(0, "<IMAGE>")]
    public string Image { get; init; } = "";

    [CommandOption("-o|--out <FILE>")]
    [Description("Where to write the image.")]
    public string? Out { get; init; }

    [CommandOption("-f|--format <FORMAT>")]
    [Description("original (default): the file as ingested, byte for byte; raw: the guest disk the container holds; " +
                 "vhd: that guest disk as a fixed VHD; vdi: as a dynamic VDI; qcow2: as qcow2 (version 3); " +
                 "vmdk: as a monolithicSparse VMDK.")]
    public string Format { get; init; } = "original";

    /// <summary>The guest disk format asked for, or null for the original file.</summary>
    public ImageFormat? GuestFormat => GuestDiskFormats.Parse(Format);

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("restore needs --out FILE");
        return GuestDiskFormats.TryParseTarget(Format, out _, out var error) ? ValidationResult.Success() : ValidationResult.Error(error);
    }
}

/// <summary>Writes an image back, byte-identical, checking every chunk and the image digest.</summary>
public sealed class RestoreCommand : GridCommand<RestoreSettings>
{
    protected override async Task<int> Run(IGrid grid, RestoreSettings settings, CancellationToken cancellation)
    {
        var output = Path.GetFullPath(settings.Out!);
        if (Directory.Exists(output)) throw new UserError($"{output} is a directory; give a file path", ExitCodes.Usage);
        var info = await grid.Client.GetGrain<IImageGrain>(settings.Image).GetInfo()
            ?? throw new UserError($"there is no image named '{settings.Image}'; see `list`", ExitCodes.NotFound);
        var started = DateTime.UtcNow;
        var guest = settings.GuestFormat;
        var total = guest is not null ? GuestDiskExport.ProgressTotal(info) : info.Size;
        await ProgressView.Run(settings.Json, settings.Image, total, progress => guest is { } format
            ? GuestDiskExport.ToFile(grid.Client, info, output, format, progress, cancellation)
            : ImageDownload.ToFile(grid.Client, info, output, progress, cancellation));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var written = guest?.Name() ?? "original";
        if (settings.Json) Output.Json(new { image = info.Name, output, format = written, size = new FileInfo(output).Length, digest = info.Digest, seconds });
        else AnsiConsole.MarkupLine($"Restored [bold]{Markup.Escape(info.Name)}[/] ({Sizes.Format(info.Size)}) to {Markup.Escape(output)}" + guest switch
        {
            ImageFormat.Raw => " as its raw guest disk: digest verified.",
            ImageFormat.Vhd => " as its guest disk in a fixed VHD: digest verified.",
            ImageFormat.Vdi => " as its guest disk in a dynamic VDI: digest verified.",
            ImageFormat.Qcow2 => " as its guest disk in qcow2: digest verified.",
            ImageFormat.Vmdk => " as its guest disk in a sparse VMDK: digest verified.",
            _ => ": digest verified.",
        });
        return ExitCodes.Ok;
    }
}

/// <summary>Lists the images in the store.</summary>
public sealed class ListCommand : GridCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        var report = await grid.Client.GetGrain<IStoreOperationsGrain>(0).Statistics();
        if (settings.Json) Output.Json(report.Images.Select(Output.ImageJson));
        else if (report.Images.Length == 0) AnsiConsole.MarkupLine("The store holds no images.");
        else Output.Images(false, report.Images);
        return ExitCodes.Ok;
    }
}

/// <summary>Per image and overall: sizes, chunk kinds, the dedup rate, and how the index is spread.</summary>
public sealed class StatsCommand : GridCommand<GridSettings>
{
    protected override async Task<int> Run(IGrid grid, GridSettings settings, CancellationToken cancellation)
    {
        Output.Store(settings.Json, await grid.Client.GetGrain<IStoreOperationsGrain>(0).Statistics());
        return ExitCodes.Ok;
    }
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
