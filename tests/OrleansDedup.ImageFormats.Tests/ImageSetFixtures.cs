using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests;

/// <summary>A 32 MiB guest holding about 12 MB of real files, for the layout tests.</summary>
public sealed class LayoutImages : IDisposable
{
    public ImageSet Set { get; } = new(32 << 20, 12 << 20);

    public void Dispose() => Set.Dispose();
}

/// <summary>An 8 MiB guest, for the fuzz tests that re-read each layout thousands of times.</summary>
public sealed class FuzzImages : IDisposable
{
    public ImageSet Set { get; } = new(8 << 20, 3 << 20);

    public void Dispose() => Set.Dispose();
}
