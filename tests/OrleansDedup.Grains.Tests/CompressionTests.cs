using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Tests;

/// <summary>Compression is a store setting: every strategy and format round-trips with it off, on and auto, on a real ext4
/// guest of real files; incompressible data is stored as it is; a reopened store keeps its setting; a damaged frame is
/// named by verify and refused by restore, and nothing else is affected.</summary>
public sealed class CompressionTests(FormatImages images) : IClassFixture<FormatImages>
{
    public static TheoryData<string> Settings => new() { "none", "zstd:3", "auto:3" };

    private static readonly ChunkingStrategy[] Strategies = [ChunkingStrategy.Adaptive, ChunkingStrategy.Guest, ChunkingStrategy.Fixed, ChunkingStrategy.Rabin];

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task Every_strategy_and_format_restores_byte_identical(string compression)
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1, dedup: o => o.Compression = CompressionSettings.Parse(compression));
        Directory.CreateDirectory(Path.GetDirectoryName(temp.File("x"))!);
        foreach (var strategy in Strategies)
        {
            foreach (var layout in FormatImages.Five)
            {
                var name = $"{strategy}-{layout}";
                await grid.IngestOk(name, images.Set.PathOf(layout), strategy);
                var output = temp.File(name + ".restored");
                await grid.Restore(name, output);
                TestImages.AssertSameFile(images.Set.PathOf(layout), output);
                File.Delete(output);
            }
        }

        await grid.VerifyOk();

        var frames = Frames(grid.Store);
        var raw = frames.Sum(f => (long)f.RawLength);
        var stored = frames.Sum(f => (long)f.StoredLength);
        if (compression == "none") Assert.Equal(raw, stored);
        else Assert.True(stored < raw * 0.7, $"{stored:N0} bytes stored for {raw:N0} raw bytes of real files");

        // stats reports what the packs hold and what they cost on disk.
        var report = await grid.Service<StoreStatistics>().Collect();
        Assert.Equal(compression, report.Compression);
        Assert.Equal(raw, report.PackRawBytes);
        Assert.Equal((double)raw / report.PackBytes, report.CompressionRatio, 6);
    }

    [Theory]
    [InlineData("zstd:3")]
    [InlineData("auto:3")]
    public async Task Incompressible_data_is_stored_as_it_is(string compression)
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1, dedup: o => o.Compression = CompressionSettings.Parse(compression));
        var data = TestImages.Random(seed: 5, 3 << 20);
        var path = TestImages.Write(temp.File("random.img"), data);
        await grid.IngestOk("random", path, ChunkingStrategy.Adaptive);

        var frames = Frames(grid.Store);
        Assert.NotEmpty(frames);
        Assert.All(frames, f => Assert.Equal(f.RawLength, f.StoredLength));
        await grid.Restore("random", temp.File("random.restored"));
        TestImages.AssertSameBytes(data, temp.File("random.restored"));
    }

    [Fact]
    public async Task A_reopened_store_keeps_its_compression_and_refuses_another()
    {
        using var temp = new TempDirectory();
        await using (var grid = await Grid.StartAsync(temp.Data, silos: 1, dedup: o => o.Compression = CompressionSettings.Parse("zstd:7")))
            await grid.IngestOk("first", images.Set.PathOf("raw"), ChunkingStrategy.Adaptive);

        await using (var reopened = await Grid.StartAsync(temp.Data, silos: 1))
        {
            Assert.Equal(CompressionSettings.Parse("zstd:7"), reopened.Store.Settings.Compression);
            await reopened.IngestOk("second", images.Set.PathOf("qcow2-v3"), ChunkingStrategy.Adaptive);
            await reopened.VerifyOk();
        }

        var options = Grid.Options(temp.Data);
        options.Compression = CompressionSettings.None;
        var refusal = Assert.Throws<StoreFormatException>(() => StoreManifest.Reconcile(new StoreLayout(temp.Data), options));
        Assert.Contains("zstd:7", refusal.Message);
    }

    [Fact]
    public async Task A_damaged_frame_is_named_by_verify_and_refused_by_restore_and_nothing_else_is_affected()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1);
        Directory.CreateDirectory(Path.GetDirectoryName(temp.File("x"))!);
        await grid.IngestOk("victim", images.Set.PathOf("raw"), ChunkingStrategy.Guest);
        var victimPacks = grid.Store.ListPacks().Select(p => p.Id).ToHashSet();
        var other = TestImages.Write(temp.File("other.img"), TestImages.Disk(seed: 11, 2 << 20));
        await grid.IngestOk("other", other, ChunkingStrategy.Guest);

        var pack = victimPacks.Min();
        var frame = PackScanner.Frames(grid.Store.PackPath(pack)).First(f => f.StoredLength < f.RawLength);
        using (var file = new FileStream(grid.Store.PackPath(pack), FileMode.Open))
        {
            file.Position = frame.Position + 16 + frame.Chunks * 36 + frame.StoredLength / 2;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        var report = await grid.Verify();
        Assert.False(report.Ok);
        var hit = PackScanner.Scan(grid.Store.PackPath(pack)).Where(r => r.Location.Frame == frame.Position).Select(r => r.Fingerprint.ToString()).ToHashSet();
        Assert.All(report.Problems, p => Assert.Contains(p.Split(':')[0]["chunk ".Length..], hit));
        Assert.Contains(report.Problems, p => p.Contains($"pack {pack}: the frame at offset {frame.Position}"));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => grid.Restore("victim", temp.File("victim.restored")));
        Assert.DoesNotContain('\n', refused.Message);
        Assert.False(File.Exists(temp.File("victim.restored")));
        Assert.False(File.Exists(temp.File("victim.restored.partial")));
        await grid.Restore("other", temp.File("other.restored"));
        TestImages.AssertSameFile(other, temp.File("other.restored"));
    }

    private static List<PackFrame> Frames(ChunkStore store) =>
        store.ListPacks().SelectMany(p => PackScanner.Frames(store.PackPath(p.Id))).ToList();
}
