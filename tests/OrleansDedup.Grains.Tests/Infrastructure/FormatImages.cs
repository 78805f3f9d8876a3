namespace OrleansDedup.Grains.Tests.Infrastructure;

/// <summary>One 32 MiB ext4 guest holding about 12 MB of real files, in every layout qemu-img makes.</summary>
public sealed class FormatImages : IDisposable
{
    public ImageSet Set { get; } = new(32 << 20, 12 << 20);

    /// <summary>The five formats, each in its most common layout.</summary>
    public static readonly string[] Five = ["raw", "qcow2-v3", "vmdk-monolithicSparse", "vhd-dynamic", "vdi-dynamic"];

    public void Dispose() => Set.Dispose();
}
