using OrleansDedup.Chunking;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Grains.Tests.Infrastructure;

namespace OrleansDedup.Migration.Grains.Tests.Coordinator;

/// <summary>Dedup-aware live migration of one VM on a three-silo test cluster: each silo models one host ("host-of-SILO").</summary>
public sealed class MigrationCoordinatorGrainTests : ThreeHostGrid
{
    [Fact]
    public async Task ANewImageSendsItsUniqueChunksOnceAndTheDestinationRestoresIt()
    {
        var image = TestImages.Disk(seed: 11, size: 3 << 20, zeroShare: 0.2, repeatShare: 0.2);
        var info = await Grid.IngestOk("vm1-disk", TestImages.Write(Temp.File("vm1.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        var destination = await Configured(b);

        var report = await Migrate("vm1", a, b, "vm1-disk");
        // Segments ingest in parallel, so the ingest's new/duplicate split may count a block twice; count from the bytes.
        var blocks = Enumerable.Range(0, image.Length / 4096).Select(i => image.AsMemory(i * 4096, 4096)).ToArray();
        var nonZero = blocks.Where(b => b.Span.ContainsAnyExcept((byte)0)).ToArray();
        var unique = nonZero.Select(b => Fingerprint.Compute(b.Span)).Distinct().Count();
        Assert.Equal(unique * 4096L, report.Disk.ChunkBytes);
        Assert.Equal(unique, report.Disk.Chunks);
        Assert.Equal((blocks.Length - nonZero.Length) * 4096L, report.Disk.ZeroBytes);
        Assert.Equal((nonZero.Length - unique) * 4096L, report.Disk.DedupBytes);
        Assert.Equal(0, report.Disk.PresentBytes);
        Assert.Equal(image.Length, report.Disk.LogicalBytes);
        // One set-difference query per batch of recipe entries (here: one per 1 MiB segment), never one per chunk.
        Assert.Equal(info.Segments, report.Disk.Batches);
        Assert.True(report.Disk.Batches * 50 < report.Disk.Chunks);
        Assert.True(report.Converged);
        Assert.Equal(unique * 4096.0, report.DiskBytes);
        Assert.Equal((Ram + unique * 4096.0 + report.Disk.MetadataBytes) / (Capacity.BandwidthBytesPerSecond * 0.5), report.TotalSeconds, 6);

        var stats = await destination.GetCacheStats();
        Assert.Equal(unique, stats.Chunks);
        Assert.Equal(["vm1-disk"], stats.Images);
        var restored = Temp.File("vm1.restored");
        Assert.Equal(image.Length, await destination.RestoreImage("vm1-disk", restored));
        TestImages.AssertSameBytes(image, restored);
        // The grid's own copy is untouched by the migration.
        await Grid.VerifyOk();
    }

    [Fact]
    public async Task ChunksCrossTheWireCompressedAndTheModelPricesTheCompressedBytes()
    {
        // Real, compressible bytes: this test assembly's own code.
        var code = File.ReadAllBytes(typeof(MigrationCoordinatorGrainTests).Assembly.Location);
        var image = code.AsSpan(0, code.Length / 4096 * 4096).ToArray();
        await Grid.IngestOk("code-disk", TestImages.Write(Temp.File("code.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(2));
        await Configured(a);
        var destination = await Configured(b);

        var report = await Migrate("vm-code", a, b, "code-disk");
        Assert.True(report.Disk.WireChunkBytes < report.Disk.ChunkBytes * 0.8,
            $"{report.Disk.WireChunkBytes:N0} bytes on the wire for {report.Disk.ChunkBytes:N0} bytes of chunks");
        Assert.Equal(report.Disk.WireChunkBytes, report.DiskBytes);

        var restored = Temp.File("code.restored");
        Assert.Equal(image.Length, await destination.RestoreImage("code-disk", restored));
        TestImages.AssertSameBytes(image, restored);
    }

    [Fact]
    public async Task AnImageTheDestinationHoldsSendsNoChunksAndASimilarOneSendsLittle()
    {
        var image = TestImages.Disk(seed: 21, size: 2 << 20, zeroShare: 0.1, repeatShare: 0.1);
        var variant = TestImages.Variant(image, seed: 22, changes: 4);
        await Grid.IngestOk("base", TestImages.Write(Temp.File("base.raw"), image), ChunkingStrategy.Fixed);
        await Grid.IngestOk("variant", TestImages.Write(Temp.File("variant.raw"), variant), ChunkingStrategy.Fixed);
        var (a, c) = (Host(0), Host(2));
        await Configured(a);
        var destination = await Configured(c);

        var first = await Migrate("vm-a", a, c, "base");
        Assert.True(first.Disk.ChunkBytes > 0);
        var again = await Migrate("vm-b", a, c, "base");
        Assert.Equal(0, again.Disk.ChunkBytes);
        Assert.Equal(0, again.Disk.Chunks);
        Assert.Equal(image.Length - again.Disk.ZeroBytes, again.Disk.PresentBytes + again.Disk.DedupBytes);
        Assert.True(again.BytesSent < first.BytesSent);
        Assert.True(again.TotalSeconds < first.TotalSeconds);

        var similar = await Migrate("vm-c", a, c, "variant");
        // Four 1 KiB changes touch at most eight 4 KiB blocks.
        Assert.InRange(similar.Disk.Chunks, 1, 8);
        Assert.True(similar.Disk.ChunkBytes <= 8 * 4096);
        var restored = Temp.File("variant.restored");
        await destination.RestoreImage("variant", restored);
        TestImages.AssertSameBytes(variant, restored);
    }

    [Fact]
    public async Task ASeededHostHoldsTheImageAsAMigrationLeavesItSoAMigrationToItSendsNoChunks()
    {
        var image = TestImages.Disk(seed: 31, size: 2 << 20, zeroShare: 0.1, repeatShare: 0.1);
        await Grid.IngestOk("seeded", TestImages.Write(Temp.File("seeded.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        var host = await Configured(b);

        var seed = await Grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-s").Seed(new HostSeed(b, ["seeded"]));
        Assert.True(seed.ChunkBytes > 0);
        Assert.Equal(["seeded"], (await host.GetCacheStats()).Images);
        var restored = Temp.File("seeded.restored");
        await host.RestoreImage("seeded", restored);
        TestImages.AssertSameBytes(image, restored);

        var report = await Migrate("vm-t", a, b, "seeded");
        Assert.Equal(0, report.Disk.ChunkBytes);
        Assert.Equal(image.Length - report.Disk.ZeroBytes, report.Disk.PresentBytes);
        Assert.Equal(0, (await Grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-s").Seed(new HostSeed(b, ["seeded"]))).ChunkBytes);
    }

    [Fact]
    public async Task AdaptiveAliasesAndAMemorySnapshotMoveAndRestore()
    {
        var disk = TestImages.Disk(seed: 31, size: 3 << 20);
        var memory = TestImages.Disk(seed: 32, size: 1 << 20, zeroShare: 0.5);
        await Grid.IngestOk("adaptive-disk", TestImages.Write(Temp.File("ad.raw"), disk), ChunkingStrategy.Adaptive);
        await Grid.IngestOk("vm-mem", TestImages.Write(Temp.File("mem.raw"), memory), ChunkingStrategy.Fixed);
        var (a, b) = (Host(1), Host(2));
        await Configured(a);
        var destination = await Configured(b);
        var report = await Grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-m").Migrate(new VmMigrationRequest("vm-m", a, b, memory.Length,
            new DirtyModelSpec(DirtyModelKind.Constant, Rate: 1 << 20), ["adaptive-disk"], MemorySnapshot: "vm-mem"));
        Assert.True(report.Memory.ZeroBytes >= memory.Length / 4);
        Assert.True(report.SavedZeroBytes > 0);
        foreach (var (name, bytes) in new[] { ("adaptive-disk", disk), ("vm-mem", memory) })
        {
            var restored = Temp.File(name + ".restored");
            await destination.RestoreImage(name, restored);
            TestImages.AssertSameBytes(bytes, restored);
        }
        var post = await Grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-m").Migrate(new VmMigrationRequest("vm-m", b, a, memory.Length,
            new DirtyModelSpec(DirtyModelKind.Constant, Rate: 1 << 20), ["adaptive-disk"], PostCopy: true, DeviceStateBytes: 1 << 20));
        Assert.Equal(0, post.Rounds);
        Assert.Equal((1 << 20) / post.BandwidthBytesPerSecond, post.DowntimeSeconds, 9);
        // The resumed guest writes 1 MiB/s, so it waits on pages faulted over the network while the rest is pushed: the
        // model's share of the push (default round trip 0.5 ms, 4 KiB pages).
        var push = post.TotalSeconds - post.DowntimeSeconds;
        var running = 1 / (1 + (1 << 20) * (0.0005 + 4096 / post.BandwidthBytesPerSecond) / (2 * 4096.0));
        Assert.Equal(push * (1 - running), post.StallSeconds, 9);
        Assert.True(post.StallSeconds > 0);
    }
}
