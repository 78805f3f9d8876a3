using System.ComponentModel;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Ingest;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

public sealed class BenchSettings : GridSettings
{
    [CommandArgument(0, "<PATH>")]
    public string[] Paths { get; init; } = [];

    [CommandOption("-s|--strategy <STRATEGY>")]
    [Description("Strategies to measure (repeatable; default: fixed, guest, rabin and adaptive).")]
    public string[] Strategies { get; init; } = [];

    public ImageSource[] Sources => Paths.Select(p => new ImageSource(Path.GetFileName(Path.GetFullPath(p)), Path.GetFullPath(p))).ToArray();

    public ChunkingStrategy[] ParsedStrategies => Strategies.Length == 0
        ? [ChunkingStrategy.Fixed, ChunkingStrategy.Guest, ChunkingStrategy.Rabin, ChunkingStrategy.Adaptive]
        : Strategies.Select(s => Enum.Parse<ChunkingStrategy>(s, ignoreCase: true)).ToArray();

    public override ValidationResult Validate() =>
        Strategies.All(s => Enum.TryParse<ChunkingStrategy>(s, ignoreCase: true, out _) && !int.TryParse(s, out _))
            ? ValidationResult.Success()
            : ValidationResult.Error("unknown strategy; use adaptive, guest, fixed or rabin");
}
