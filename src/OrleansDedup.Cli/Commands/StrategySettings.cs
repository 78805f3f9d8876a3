using System.ComponentModel;
using OrleansDedup.Chunking;
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
