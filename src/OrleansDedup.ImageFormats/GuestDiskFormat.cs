namespace OrleansDedup.ImageFormats;

/// <summary>The formats a guest disk can be written in: raw, or one of the containers this library writes.</summary>
public enum GuestDiskFormat
{
    Raw,

    /// <summary>qcow2 version 3: only the 64 KiB clusters that hold data.</summary>
    Qcow2,

    /// <summary>A monolithicSparse VMDK: only the 64 KiB grains that hold data.</summary>
    Vmdk,

    /// <summary>A fixed VHD: the raw disk and a footer.</summary>
    Vhd,

    /// <summary>A dynamic VDI: only the 1 MiB blocks that hold data.</summary>
    Vdi,
}

public static class GuestDiskFormats
{
    /// <summary>The names <see cref="Parse"/> takes, for messages.</summary>
    public const string Names = "raw, qcow2, vmdk, vhd or vdi";

    /// <summary>The format a user named (case-insensitive; "vpc", QEMU's name for VHD, too), or null.</summary>
    public static GuestDiskFormat? Parse(string? name) => name?.ToLowerInvariant() switch
    {
        "raw" => GuestDiskFormat.Raw,
        "qcow2" => GuestDiskFormat.Qcow2,
        "vmdk" => GuestDiskFormat.Vmdk,
        "vhd" or "vpc" => GuestDiskFormat.Vhd,
        "vdi" => GuestDiskFormat.Vdi,
        _ => null,
    };

    public static string Name(this GuestDiskFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>Formats that store only the blocks with data, read from the guest disk in order.</summary>
    public static bool IsPacked(this GuestDiskFormat format) => format is GuestDiskFormat.Qcow2 or GuestDiskFormat.Vmdk or GuestDiskFormat.Vdi;
}
