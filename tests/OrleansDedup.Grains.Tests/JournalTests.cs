using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests;

/// <summary>The index shards persist by appending to their journals: a second, similar image appends records for what it
/// touches and rewrites nothing, so the journals grow far less than for the first image.</summary>
public sealed class JournalTests(GridFixture fixture, ITestOutputHelper output) : IClassFixture<GridFixture>
{
    private Grid Grid => fixture.Grid;

    [Fact]
    public async Task Journal_grows_incrementally()
    {
        const int size = 6 * Grid.SegmentSize + 4096 + 100;
        var first = TestImages.Disk(seed: 900, size, zeroShare: 0.1, repeatShare: 0.05);
        var second = TestImages.Variant(first, seed: 901, changes: 6);
        var firstPath = TestImages.Write(fixture.Temp.File("journal-a.img"), first);
        var secondPath = TestImages.Write(fixture.Temp.File("journal-b.img"), second);

        var before = Grid.IndexBytes();
        await Grid.IngestOk("journal-a", firstPath, ChunkingStrategy.Adaptive);
        var afterFirst = Files(Grid.IndexDirectory);
        var growthFirst = afterFirst.Values.Sum(f => (long)f.Length) - before;
        Assert.Equal(Grid.IndexBytes(), afterFirst.Values.Sum(f => (long)f.Length));

        var info = await Grid.IngestOk("journal-b", secondPath, ChunkingStrategy.Adaptive);
        var afterSecond = Files(Grid.IndexDirectory);
        var growthSecond = afterSecond.Values.Sum(f => (long)f.Length) - afterFirst.Values.Sum(f => (long)f.Length);

        output.WriteLine($"journals: +{growthFirst} bytes for the first image, +{growthSecond} for the second ({info.Stats.DuplicateChunks + info.Stats.NewChunks} chunks, {info.Stats.IndexEntriesAdded} new entries)");
        Assert.True(growthFirst > 0);
        Assert.True(growthSecond > 0, "the second image's references are persisted");
        Assert.True(growthSecond < growthFirst / 2, $"the journals grew {growthFirst} bytes for the first image, {growthSecond} for the similar second one");
        // append-only: every journal file written for the first image is still there, unchanged, at the start of its file
        foreach (var (name, content) in afterFirst)
        {
            Assert.True(afterSecond.TryGetValue(name, out var now), $"{name} disappeared");
            Assert.True(now.AsSpan().StartsWith(content), $"{name} was rewritten, not appended to");
        }
        // and what was appended is proportional to what the second image touched, not to the index
        var touched = info.Stats.DuplicateChunks + info.Stats.NewChunks;
        Assert.True(growthSecond < touched * 64 + info.Stats.IndexEntriesAdded * 256, $"{growthSecond} bytes appended for {touched} chunks");
    }

    private static Dictionary<string, byte[]> Files(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles().ToDictionary(f => f.Name, f => TestImages.ReadLocked(f.FullName));
}
