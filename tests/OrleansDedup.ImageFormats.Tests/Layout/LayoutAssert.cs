using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.ImageFormats.Tests.Layout;

internal static class LayoutAssert
{
    /// <summary>Ordered, non-empty, contiguous regions covering the file, with guest ranges inside the disk and disjoint.</summary>
    public static void ValidCover(ImageLayout layout, long fileLength)
    {
        Assert.Equal(fileLength, layout.FileLength);
        Assert.InRange(layout.VirtualSize, 0, long.MaxValue);
        long position = 0;
        foreach (var region in layout.Regions)
        {
            Assert.Equal(position, region.FileOffset);
            Assert.True(region.Length > 0, $"empty region at 0x{region.FileOffset:x}");
            if (region.Kind == RegionKind.Metadata)
            {
                Assert.Equal(-1, region.GuestOffset);
            }
            else
            {
                long guestLength = region.Kind == RegionKind.GuestData ? region.Length : 1;
                Assert.InRange(region.GuestOffset, 0, layout.VirtualSize - guestLength);
            }

            position = region.FileEnd;
        }

        Assert.Equal(fileLength, position);
        var guest = layout.Regions.Where(r => r.Kind != RegionKind.Metadata).OrderBy(r => r.GuestOffset).ToList();
        for (int i = 1; i < guest.Count; i++)
        {
            long previousEnd = guest[i - 1].GuestOffset + (guest[i - 1].Kind == RegionKind.GuestData ? guest[i - 1].Length : layout.CompressedUnitSize);
            Assert.True(previousEnd <= guest[i].GuestOffset, $"guest ranges overlap at 0x{guest[i].GuestOffset:x}");
        }
    }
}
