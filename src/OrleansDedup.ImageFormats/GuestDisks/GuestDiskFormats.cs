namespace OrleansDedup.ImageFormats.GuestDisks;

/// <summary>The formats a guest disk can be written in: every <see cref="ImageFormat"/>. qcow2 is written as version 3
/// with 64 KiB clusters, VMDK as monolithicSparse, VHD as fixed and VDI as dynamic; the last three and qcow2 store only
/// the blocks that hold data.</summary>
public static class GuestDiskFormats
{
    /// <summary>The names <see cref="Parse"/> takes, for messages.</summary>
    public const string Names = "raw, qcow2, vmdk, vhd or vdi";

    /// <summary>The format a user named (case-insensitive; "vpc", QEMU's name for VHD, too), or null.</summary>
    public static ImageFormat? Parse(string? name) => name?.ToLowerInvariant() switch
    {
        "raw" => ImageFormat.Raw,
        "qcow2" => ImageFormat.Qcow2,
        "vmdk" => ImageFormat.Vmdk,
        "vhd" or "vpc" => ImageFormat.Vhd,
        "vdi" => ImageFormat.Vdi,
        _ => null,
    };

    /// <summary>What a restore was asked to write: the original file (no name, or "original": <paramref name="format"/>
    /// null) or a guest disk format; false, with <paramref name="error"/> saying why, for a name that is neither.</summary>
    public static bool TryParseTarget(string? name, out ImageFormat? format, out string error)
    {
        format = Parse(name);
        error = "";
        if (format is not null || name is null || name.Equals("original", StringComparison.OrdinalIgnoreCase)) return true;
        error = $"unknown format '{name}'; use original, {Names}";
        return false;
    }

    public static string Name(this ImageFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>Formats that store only the blocks with data, read from the guest disk in order.</summary>
    public static bool IsPacked(this ImageFormat format) => format is ImageFormat.Qcow2 or ImageFormat.Vmdk or ImageFormat.Vdi;
}
