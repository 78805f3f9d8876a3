using System.ComponentModel;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

public sealed class ImageSettings : GridSettings
{
    [CommandArgument(0, "<IMAGE>")]
    [Description("Image names, as `list` shows them.")]
    public string[] Images { get; init; } = [];
}
