using System.ComponentModel;
using OrleansDedup.Cli.Ingest;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

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
