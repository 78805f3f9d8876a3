using System.ComponentModel;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.GuestDisks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

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
