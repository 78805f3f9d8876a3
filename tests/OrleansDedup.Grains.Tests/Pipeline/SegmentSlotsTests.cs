using Microsoft.Extensions.Options;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Pipeline;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Pipeline;

/// <summary>A silo runs at most <see cref="DedupOptions.MaxSegmentsPerSilo"/> segments at once, whatever the number of
/// ingests, on buffers and working arrays its slots keep; the others wait their turn, and concurrent ingests that claim each other's chunks
/// still all finish.</summary>
public sealed class SegmentSlotsTests
{
    [Fact]
    public async Task A_segment_past_the_limit_waits_until_one_leaves_and_a_cancelled_wait_takes_no_slot()
    {
        using var slots = new SegmentSlots(Options.Create(new DedupOptions { MaxSegmentsPerSilo = 2 }));
        var first = await slots.Enter(CancellationToken.None);
        var second = await slots.Enter(CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        var cancelled = slots.Enter(cancel.Token);
        var third = slots.Enter(CancellationToken.None);
        Assert.False(cancelled.IsCompleted);
        Assert.False(third.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(third.IsCompleted);

        slots.Leave(first);
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        var fourth = slots.Enter(CancellationToken.None);
        Assert.False(fourth.IsCompleted);
        slots.Leave(second);
        await fourth.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_slot_hands_its_batch_buffers_and_working_arrays_to_the_next_segment_instead_of_new_ones()
    {
        var options = new DedupOptions { MaxSegmentsPerSilo = 1, BatchSize = 1 << 20 };
        using var slots = new SegmentSlots(Options.Create(options));

        var slot = await slots.Enter(CancellationToken.None);
        var (buffers, scratches) = (slot.Buffers, slot.Scratches);
        Assert.Equal(2, buffers.Length);
        Assert.All(buffers, b => Assert.True(b.Length >= options.BatchSize));
        Assert.NotSame(buffers[0], buffers[1]);
        Assert.Equal(2, scratches.Length);
        Assert.NotSame(scratches[0], scratches[1]);
        slots.Leave(slot);

        var next = await slots.Enter(CancellationToken.None);
        Assert.Same(buffers, next.Buffers);
        Assert.Same(scratches, next.Scratches);
        slots.Leave(next);
    }

    [Theory]
    [InlineData(ChunkingStrategy.Adaptive)]
    [InlineData(ChunkingStrategy.Fixed)]
    public async Task Similar_images_ingested_at_once_through_one_slot_all_finish_and_restore(ChunkingStrategy strategy)
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1, dedup: o => o.MaxSegmentsPerSilo = 1);
        var original = TestImages.Disk(seed: 1400, 3 * Grid.SegmentSize + 4_321, zeroShare: 0.1, repeatShare: 0.05);
        var images = Enumerable.Range(0, 4).Select(i => TestImages.Variant(original, seed: 1410 + i, changes: 6)).ToArray();
        var names = Enumerable.Range(0, 4).Select(i => $"slot-{i}").ToArray();
        var paths = names.Select((n, i) => TestImages.Write(temp.File(n + ".img"), images[i])).ToArray();

        await Task.WhenAll(names.Select((n, i) => grid.Image(n).StartIngest(new IngestRequest(paths[i], strategy))));
        var finished = await Task.WhenAll(names.Select(n => grid.WaitForIngest(n)));

        Assert.All(finished, s => Assert.True(s.State == IngestState.Succeeded, $"{s.State}: {s.Error}"));
        await grid.VerifyOk();
        for (var i = 0; i < names.Length; i += 3)
        {
            var output = temp.File(names[i] + ".restored");
            await grid.Restore(names[i], output, silo: 0);
            TestImages.AssertSameBytes(images[i], output);
        }
    }
}
