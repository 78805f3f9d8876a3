namespace OrleansDedup.Chunking.Tests;

public sealed class BlockGridTests
{
    private const int Block = 4096;

    [Fact]
    public void Uniform_grid_cuts_every_block_from_the_start_and_the_short_last_one()
    {
        var starts = new int[1];
        var count = BlockGrid.Uniform(Block).Cut(8192, 3 * Block + 100, ref starts);
        Assert.Equal(4, count);
        Assert.Equal(new[] { 0, 4096, 8192, 12288, 12388 }, starts[..5]);
    }

    [Fact]
    public void Guest_data_behind_a_sector_bitmap_is_cut_at_guest_block_alignment()
    {
        // A dynamic VHD block: a 512-byte bitmap, then guest data starting at guest offset 2 MiB.
        var grid = BlockGrid.Anchored(Block, [new GridSpan(0, 512, 0), new GridSpan(512, 2 * Block + 10, 2 << 20)]);
        var starts = new int[1];
        var count = grid.Cut(0, 512 + 2 * Block + 10, ref starts);
        Assert.Equal(new[] { 0, 512, 512 + Block, 512 + 2 * Block, 512 + 2 * Block + 10 }, starts[..(count + 1)]);
    }

    [Fact]
    public void A_guest_run_that_starts_mid_block_is_cut_where_the_next_guest_block_starts()
    {
        var grid = BlockGrid.Anchored(Block, [new GridSpan(0, 1000, 0), new GridSpan(1000, 10000, 4000)]);
        var starts = new int[1];
        var count = grid.Cut(0, 11000, ref starts);
        Assert.Equal(new[] { 0, 1000, 1096, 1096 + Block, 1096 + 2 * Block, 11000 }, starts[..(count + 1)]);
        Assert.Equal(1096 + Block, grid.CutAtOrBefore(1096 + Block + 4095));
        Assert.Equal(1000, grid.CutAtOrBefore(1095));
    }

    [Fact]
    public void Cuts_are_the_same_however_the_file_is_split_into_batches()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var spans = new List<GridSpan>();
            long at = 0;
            for (var i = random.Next(1, 12); i > 0; i--)
            {
                var length = random.Next(1, 5) switch { 1 => random.Next(1, 600), 2 => random.Next(1, 3 * Block), _ => random.Next(Block, 40 * Block) };
                spans.Add(new GridSpan(at, length, random.Next(2) == 0 ? 0 : random.NextInt64(1L << 40)));
                at += length;
            }
            var grid = BlockGrid.Anchored(Block, spans);
            var expected = ExpectedCuts(spans);

            var cuts = new List<long>();
            var starts = new int[4];
            var batch = random.Next(Block, 20 * Block);
            for (long position = 0; position < at;)
            {
                var end = Math.Min(position + batch, at);
                if (end < at) end = grid.CutAtOrBefore(end);
                Assert.True(end > position && end > Math.Min(position + batch, at) - Block);
                var count = grid.Cut(position, (int)(end - position), ref starts);
                for (var b = 0; b < count; b++) cuts.Add(position + starts[b]);
                position = end;
            }
            Assert.Equal(expected, cuts);
        }
    }

    /// <summary>The rule, cut by cut: every span start, and every position inside a span at a multiple of the block size
    /// from its anchor.</summary>
    private static List<long> ExpectedCuts(List<GridSpan> spans)
    {
        var cuts = new List<long>();
        foreach (var s in spans)
        {
            for (var p = s.Start; p < s.End; p++)
                if (p == s.Start || (p - s.Start + s.Phase) % Block == 0) cuts.Add(p);
        }

        return cuts;
    }
}
