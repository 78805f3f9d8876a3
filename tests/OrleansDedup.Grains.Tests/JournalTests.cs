using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests;

/// <summary>The index shards persist by appending to their journals, and only what is new: a second, similar image
/// appends records for its new chunks and rewrites nothing; the same image again appends nothing.</summary>
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
        Assert.True(growthSecond > 0, "the second image's new chunks are persisted");
        Assert.True(growthSecond < growthFirst / 2, $"the journals grew {growthFirst} bytes for the first image, {growthSecond} for the similar second one");
        // append-only: every journal file written for the first image is still there, unchanged, at the start of its file
        foreach (var (name, content) in afterFirst)
        {
            Assert.True(afterSecond.TryGetValue(name, out var now), $"{name} disappeared");
            Assert.True(now.AsSpan().StartsWith(content), $"{name} was rewritten, not appended to");
        }
        // and what was appended is proportional to what the second image added, not to what it refers to
        Assert.True(growthSecond < info.Stats.IndexEntriesAdded * 256, $"{growthSecond} bytes appended for {info.Stats.IndexEntriesAdded} new entries");
    }

    [Fact]
    public async Task The_same_image_again_adds_nothing_to_the_journals()
    {
        var path = TestImages.Write(fixture.Temp.File("journal-same.img"), TestImages.Disk(seed: 910, 4 * Grid.SegmentSize, zeroShare: 0.1, repeatShare: 0.05));
        var before = Grid.IndexBytes();
        await Grid.IngestOk("journal-same-0", path, ChunkingStrategy.Adaptive);
        var first = Grid.IndexBytes() - before;

        for (var copy = 1; copy <= 4; copy++) await Grid.IngestOk($"journal-same-{copy}", path, ChunkingStrategy.Adaptive);
        var copies = Grid.IndexBytes() - before - first;

        output.WriteLine($"journals: +{first} bytes for the image, +{copies} for four more copies");
        Assert.True(first > 0);
        Assert.True(copies < first / 100, $"four copies of an image added {copies} journal bytes; the image itself {first}");
    }

    private static Dictionary<string, byte[]> Files(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles().ToDictionary(f => f.Name, f => TestImages.ReadLocked(f.FullName));
}
