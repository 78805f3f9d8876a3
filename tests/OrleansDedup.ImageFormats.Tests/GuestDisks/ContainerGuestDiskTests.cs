using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.ImageFormats.Tests.GuestDisks;

/// <summary>A container read in place through its layout gives the raw guest disk, whatever the pieces asked for.</summary>
public sealed class ContainerGuestDiskTests(LayoutImages images) : IClassFixture<LayoutImages>
{
    private readonly ImageSet _set = images.Set;

    public static TheoryData<string> Layouts() => [.. ImageSet.Layouts.Select(layout => layout.Name)];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ReadsInPiecesOfAnySizeGiveTheRawDisk(string name)
    {
        byte[] raw = File.ReadAllBytes(_set.Raw);
        using var container = File.OpenHandle(_set.PathOf(name));
        var disk = new ContainerGuestDisk(container, ImageLayoutReader.Read(container, RandomAccess.GetLength(container)));
        Assert.Equal(raw.LongLength, disk.Size);

        // Pieces that start and end anywhere: inside regions, across their edges, across compressed units.
        int seed = ImageSet.Layouts.ToList().FindIndex(layout => layout.Name == name);
        var random = new Random(seed);
        byte[] read = new byte[raw.Length];
        for (long at = 0; at < raw.Length;)
        {
            int length = (int)Math.Min(raw.Length - at, random.Next(1, 300_000));
            disk.Read(read.AsSpan((int)at, length), at);
            at += length;
        }

        Assert.True(raw.AsSpan().SequenceEqual(read), $"the guest view of {name} differs from the raw disk (pieces of seed {seed})");
    }
}
