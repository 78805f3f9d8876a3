using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.ImageFormats.GuestDisks;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.Grains.Tests;

/// <summary>Container files made by qemu-img from one ext4 guest: adaptive follows the guest's blocks inside each, the
/// file still restores byte for byte, and its guest view is the raw image.</summary>
public sealed class FormatAwareTests(GridFixture fixture, FormatImages images) : IClassFixture<GridFixture>, IClassFixture<FormatImages>
{
    private Grid Grid => fixture.Grid;

    public static TheoryData<string> Layouts => new(ImageSet.Layouts.Select(l => l.Name));

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Every_layout_restores_byte_identical_and_holds_the_raw_guest(string layout)
    {
        var path = images.Set.PathOf(layout);
        var expected = ImageSet.Layouts.Single(l => l.Name == layout);

        var info = await Grid.IngestOk("format-" + layout, path, ChunkingStrategy.Adaptive);

        var container = info.Container!;
        Assert.Equal(expected.Format.ToString().ToLowerInvariant(), container.Format);
        Assert.Equal(expected.Variant, container.Variant);
        Assert.True(container.FormatAware);
        Assert.Equal(32 << 20, container.VirtualSize);
        Assert.Equal(new FileInfo(path).Length, container.GuestDataBytes + container.CompressedGuestBytes + container.MetadataBytes);
        Assert.Equal(info.Size, info.Stats.ZeroBytes + info.Stats.DuplicateBytes + info.Stats.NewBytes);

        var restored = fixture.Temp.File(layout + ".restored");
        Directory.CreateDirectory(Path.GetDirectoryName(restored)!);
        Assert.Equal(info.Digest, (await Grid.Restore(info.Name, restored)).Digest);
        TestImages.AssertSameFile(path, restored);

        var guest = fixture.Temp.File(layout + ".guest");
        using (var input = File.OpenHandle(restored))
        using (var output = File.OpenHandle(guest, FileMode.Create, FileAccess.ReadWrite))
            GuestDiskWriter.WriteRaw(input, ImageLayoutReader.Read(input, RandomAccess.GetLength(input)), output);
        TestImages.AssertSameFile(images.Set.Raw, guest);
        await Grid.VerifyOk();
    }
}
