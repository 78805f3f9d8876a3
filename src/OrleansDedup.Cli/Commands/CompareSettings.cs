using System.ComponentModel;
using OrleansDedup.Cli.Ingest;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

public sealed class CompareSettings : GridSettings
{
    [CommandArgument(0, "<PATH>")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--chart <FILE>")]
    [Description("Where to write the PNG bar chart (default: dedup-compare.png).")]
    public string Chart { get; init; } = "dedup-compare.png";

    public ImageSource[] Sources => Paths.Select(p => new ImageSource(Path.GetFileName(Path.GetFullPath(p)), Path.GetFullPath(p))).ToArray();
}
