using OrleansDedup.Chunking;
using OrleansDedup.Grains.Images;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>On a container, segment ends move back to the grid cut at or before the nominal boundary, and each segment
/// carries exactly the regions that cover it.</summary>
public sealed class SegmentPlanTests(FormatImages images) : IClassFixture<FormatImages>
{
    [Theory]
    [InlineData("vhd-dynamic")]
    [InlineData("vmdk-streamOptimized")]
    [InlineData("qcow2-compressed")]
    public void Segments_end_on_grid_cuts_and_carry_their_regions(string layout)
    {
        var path = images.Set.PathOf(layout);
        var size = new FileInfo(path).Length;
        var options = Grid.Options("unused");
        var spans = ContainerLayouts.Spans(ContainerLayouts.Read(path, size), 4096);
        var grid = BlockGrid.Anchored(4096, spans);

        var plan = SegmentPlan.For("x", path, size, ChunkingStrategy.Adaptive, options, Guid.NewGuid(), spans);

        Assert.Equal(0, plan[0].Offset);
        Assert.Equal(size, plan[^1].Offset + plan[^1].Length);
        var moved = 0;
        for (var i = 1; i < plan.Length; i++)
        {
            var start = plan[i].Offset;
            Assert.Equal(plan[i - 1].Offset + plan[i - 1].Length, start);
            Assert.Equal(start, grid.CutAtOrBefore(start));
            Assert.InRange(i * options.SegmentSize - start, 0, 4095);
            if (start != i * options.SegmentSize) moved++;
        }
        Assert.True(moved > 0, "some nominal boundary fell inside a block and moved");
        foreach (var work in plan)
        {
            Assert.Equal(work.Offset, work.Grid![0].Start);
            Assert.Equal(work.Length, work.Grid.Sum(s => s.Length));
        }
    }
}
