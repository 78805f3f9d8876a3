using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Storage.Packs;

/// <summary>How a store writes new packs: its compression, and how many raw bytes of neighbouring chunks share a frame.
/// A larger frame compresses better, but reading one chunk decodes its whole frame.</summary>
public sealed record PackSettings(CompressionSettings Compression, int FrameSize)
{
    public const int DefaultFrameSize = 128 << 10;

    public static readonly PackSettings Default = new(CompressionSettings.Default, DefaultFrameSize);

    public static readonly PackSettings Uncompressed = new(CompressionSettings.None, DefaultFrameSize);

    public void Validate()
    {
        if (FrameSize is < 4096 or > 4 << 20) throw new ArgumentException("The frame size must be between 4 KiB and 4 MiB.");
    }
}
