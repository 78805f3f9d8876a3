using System.ComponentModel;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Cli.Ingest;
using OrleansDedup.Grains.Images;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

public class StrategySettings : GridSettings
{
    [CommandOption("-s|--strategy <STRATEGY>")]
    [Description("adaptive (default; follows the guest's blocks inside qcow2, VMDK, VHD and VDI), guest (those blocks without the Rabin residue), fixed or rabin (both cut the file as opaque bytes).")]
    public string Strategy { get; init; } = "adaptive";

    public ChunkingStrategy ParsedStrategy => Enum.Parse<ChunkingStrategy>(Strategy, ignoreCase: true);

    public override ValidationResult Validate() =>
        Enum.TryParse<ChunkingStrategy>(Strategy, ignoreCase: true, out _) && !int.TryParse(Strategy, out _)
            ? ValidationResult.Success()
            : ValidationResult.Error($"unknown strategy '{Strategy}'; use adaptive, guest, fixed or rabin");
}

public sealed class IngestSettings : StrategySettings
{
    [CommandArgument(0, "<PATH>")]
    [Description("Image files (raw, qcow2, VMDK, VHD, VDI, or anything else).")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--opaque")]
    [Description("Cut the files as plain bytes without reading their container tables (for a file whose tables are damaged).")]
    public bool Opaque { get; init; }

    [CommandOption("-n|--name <NAME>")]
    [Description("Name of the image in the store (one path only; default: the file name).")]
    public string? Name { get; init; }

    public override ValidationResult Validate() =>
        Name is not null && Paths.Length != 1 ? ValidationResult.Error("--name takes exactly one path") : base.Validate();

    public ImageSource[] Sources => Paths.Select(p => new ImageSource(Name ?? Path.GetFileName(Path.GetFullPath(p)), Path.GetFullPath(p))).ToArray();
}

/// <summary>Deduplicates images into the store.</summary>
public sealed class IngestCommand : GridCommand<IngestSettings>
{
    protected override Task Preflight(IngestSettings settings)
    {
        // Against a cluster the silos read the paths, so they are checked there.
        if (settings.Contact is null) ImagePaths.Check(settings.Sources);
        return Task.CompletedTask;
    }

    protected override async Task<int> Run(IGrid grid, IngestSettings settings, CancellationToken cancellation)
    {
        var sources = settings.Sources;
        var restarts = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var results = await ProgressView.Run(settings.Json, sources,
            progress => IngestRunner.Run(grid.Client, sources, settings.ParsedStrategy, progress, cancellation, opaque: settings.Opaque,
                outage: settings.Contact?.Outage, restarted: (name, lost) => restarts.Enqueue(
                    $"note: '{name}': the silo running its ingest{(lost.Silo is { } silo ? $" ({silo})" : "")} left the cluster; started it again")));
        foreach (var note in restarts) Console.Error.WriteLine(note);
        Output.Images(settings.Json, results.Where(r => r.Image is not null).Select(r => r.Image!).ToArray());
        foreach (var (result, source) in results.Zip(sources).Where(x => x.First.AlreadyStored))
            Console.Error.WriteLine($"note: '{source.Name}' is already stored with the same content; nothing was written");
        var failed = results.Where(r => r.State != IngestState.Succeeded).ToArray();
        foreach (var (result, source) in results.Zip(sources).Where(x => x.First.State != IngestState.Succeeded))
            Fail($"{source.Name}: {result.Error}", 0);
        return failed.Length == 0 ? ExitCodes.Ok : ExitCodeOf(failed[0]);
    }
}

public static class ImagePaths
{
    /// <summary>Refuses the whole command, before the store is touched, if any path is unusable.</summary>
    public static void Check(IReadOnlyList<ImageSource> sources)
    {
        foreach (var source in sources)
            if (ImageFileCheck.Problem(ImageFileCheck.Resolve(source.Path)) is { } problem)
                throw new UserError(problem, ExitCodes.BadInput);
        var duplicate = sources.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new UserError($"two paths would both be named '{duplicate.Key}'; ingest them separately with --name", ExitCodes.Usage);
    }
}
