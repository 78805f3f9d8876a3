using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Migration.Grains;
using OrleansDedup.Migration.Grains.Contracts;

namespace OrleansDedup.Grains.Tests;

/// <summary>Dedup-aware live migration on a three-silo test cluster: each silo models one host ("host-of-SILO").</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private const long Ram = 512L << 20;
    private static readonly HostCapacity Capacity = new(2660, 2, 4L << 30, 125_000_000);

    private readonly TempDirectory _temp = new("odmig");
    private Grid _grid = null!;

    public async Task InitializeAsync() =>
        _grid = await Grid.StartAsync(_temp.Data, 3, (options, silo) => silo.AddDedupMigration([HostOf(options.SiloName)]));

    public async Task DisposeAsync()
    {
        await _grid.DisposeAsync();
        _temp.Dispose();
    }

    private static string HostOf(string silo) => $"host-of-{silo}";

    private string Host(int silo) => HostOf(_grid.Cluster.Silos[silo].Name);

    private async Task<IHostGrain> Configured(string host)
    {
        var grain = _grid.Client.GetGrain<IHostGrain>(host);
        await grain.Configure(Capacity);
        return grain;
    }

    private Task<VmMigrationReport> Migrate(string vm, string from, string to, params string[] disks) =>
        _grid.Client.GetGrain<IMigrationCoordinatorGrain>(vm).Migrate(new VmMigrationRequest(vm, from, to, Ram, DirtyModelSpec.None, disks));

    [Fact]
    public async Task HostGrainsRunOnTheSilosThatClaimThem()
    {
        foreach (var silo in _grid.Cluster.Silos)
            Assert.Equal(silo.Name, await _grid.Client.GetGrain<IHostGrain>(HostOf(silo.Name)).GetSilo());
        // A host no silo claims still gets one stable home.
        var names = _grid.Cluster.Silos.Select(s => s.Name).ToArray();
        var stray = await _grid.Client.GetGrain<IHostGrain>("unclaimed-host").GetSilo();
        Assert.Contains(stray, names);
    }

    [Fact]
    public async Task ANewImageSendsItsUniqueChunksOnceAndTheDestinationRestoresIt()
    {
        var image = TestImages.Disk(seed: 11, size: 3 << 20, zeroShare: 0.2, repeatShare: 0.2);
        var info = await _grid.IngestOk("vm1-disk", TestImages.Write(_temp.File("vm1.raw"), image), ChunkingStrategy.Fixed);
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
        var restored = _temp.File("vm1.restored");
        Assert.Equal(image.Length, await destination.RestoreImage("vm1-disk", restored));
        TestImages.AssertSameBytes(image, restored);
        // The grid's own copy is untouched by the migration.
        await _grid.VerifyOk();
    }

    [Fact]
    public async Task ChunksCrossTheWireCompressedAndTheModelPricesTheCompressedBytes()
    {
        // Real, compressible bytes: this test assembly's own code.
        var code = File.ReadAllBytes(typeof(MigrationTests).Assembly.Location);
        var image = code.AsSpan(0, code.Length / 4096 * 4096).ToArray();
        await _grid.IngestOk("code-disk", TestImages.Write(_temp.File("code.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(2));
        await Configured(a);
        var destination = await Configured(b);

        var report = await Migrate("vm-code", a, b, "code-disk");
        Assert.True(report.Disk.WireChunkBytes < report.Disk.ChunkBytes * 0.8,
            $"{report.Disk.WireChunkBytes:N0} bytes on the wire for {report.Disk.ChunkBytes:N0} bytes of chunks");
        Assert.Equal(report.Disk.WireChunkBytes, report.DiskBytes);

        var restored = _temp.File("code.restored");
        Assert.Equal(image.Length, await destination.RestoreImage("code-disk", restored));
        TestImages.AssertSameBytes(image, restored);
    }

    [Fact]
    public async Task AHostRestoresThroughTheCheckedRestorerSoADamagedCacheLeavesNoFile()
    {
        var image = TestImages.Disk(seed: 17, size: 1 << 20, zeroShare: 0, repeatShare: 0);
        await _grid.IngestOk("damaged-disk", TestImages.Write(_temp.File("damaged.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        var destination = await Configured(b);
        await Migrate("vm-d", a, b, "damaged-disk");
        foreach (var pack in Directory.EnumerateFiles(Path.Combine(_temp.Data, "hosts", Uri.EscapeDataString(b), "packs")))
        {
            using var file = File.Open(pack, FileMode.Open, FileAccess.ReadWrite);
            file.Position = file.Length / 2;
            var at = file.ReadByte();
            file.Position = file.Length / 2;
            file.WriteByte((byte)(at ^ 0xFF));
        }

        var restored = _temp.File("damaged.restored");
        await Assert.ThrowsAnyAsync<Exception>(() => destination.RestoreImage("damaged-disk", restored));
        Assert.False(File.Exists(restored));
        Assert.False(File.Exists(restored + ".partial"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => destination.RestoreImage("no-such-image", restored));
    }

    [Fact]
    public async Task AnImageTheDestinationHoldsSendsNoChunksAndASimilarOneSendsLittle()
    {
        var image = TestImages.Disk(seed: 21, size: 2 << 20, zeroShare: 0.1, repeatShare: 0.1);
        var variant = TestImages.Variant(image, seed: 22, changes: 4);
        await _grid.IngestOk("base", TestImages.Write(_temp.File("base.raw"), image), ChunkingStrategy.Fixed);
        await _grid.IngestOk("variant", TestImages.Write(_temp.File("variant.raw"), variant), ChunkingStrategy.Fixed);
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
        var restored = _temp.File("variant.restored");
        await destination.RestoreImage("variant", restored);
        TestImages.AssertSameBytes(variant, restored);
    }

    [Fact]
    public async Task ASeededHostHoldsTheImageAsAMigrationLeavesItSoAMigrationToItSendsNoChunks()
    {
        var image = TestImages.Disk(seed: 31, size: 2 << 20, zeroShare: 0.1, repeatShare: 0.1);
        await _grid.IngestOk("seeded", TestImages.Write(_temp.File("seeded.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        var host = await Configured(b);

        var seed = await _grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-s").Seed(new HostSeed(b, ["seeded"]));
        Assert.True(seed.ChunkBytes > 0);
        Assert.Equal(["seeded"], (await host.GetCacheStats()).Images);
        var restored = _temp.File("seeded.restored");
        await host.RestoreImage("seeded", restored);
        TestImages.AssertSameBytes(image, restored);

        var report = await Migrate("vm-t", a, b, "seeded");
        Assert.Equal(0, report.Disk.ChunkBytes);
        Assert.Equal(image.Length - report.Disk.ZeroBytes, report.Disk.PresentBytes);
        Assert.Equal(0, (await _grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-s").Seed(new HostSeed(b, ["seeded"]))).ChunkBytes);
    }

    [Fact]
    public async Task AdaptiveAliasesAndAMemorySnapshotMoveAndRestore()
    {
        var disk = TestImages.Disk(seed: 31, size: 3 << 20);
        var memory = TestImages.Disk(seed: 32, size: 1 << 20, zeroShare: 0.5);
        await _grid.IngestOk("adaptive-disk", TestImages.Write(_temp.File("ad.raw"), disk), ChunkingStrategy.Adaptive);
        await _grid.IngestOk("vm-mem", TestImages.Write(_temp.File("mem.raw"), memory), ChunkingStrategy.Fixed);
        var (a, b) = (Host(1), Host(2));
        await Configured(a);
        var destination = await Configured(b);
        var report = await _grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-m").Migrate(new VmMigrationRequest("vm-m", a, b, memory.Length,
            new DirtyModelSpec(DirtyModelKind.Constant, Rate: 1 << 20), ["adaptive-disk"], MemorySnapshot: "vm-mem"));
        Assert.True(report.Memory.ZeroBytes >= memory.Length / 4);
        Assert.True(report.SavedZeroBytes > 0);
        foreach (var (name, bytes) in new[] { ("adaptive-disk", disk), ("vm-mem", memory) })
        {
            var restored = _temp.File(name + ".restored");
            await destination.RestoreImage(name, restored);
            TestImages.AssertSameBytes(bytes, restored);
        }
        var post = await _grid.Client.GetGrain<IMigrationCoordinatorGrain>("vm-m").Migrate(new VmMigrationRequest("vm-m", b, a, memory.Length,
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

    [Fact]
    public async Task MigrationsOfAWaveShareTheSourceUplinkMaxMinFairly()
    {
        var (a, b, c) = (Host(0), Host(1), Host(2));
        foreach (var host in new[] { a, b, c }) await Configured(host);
        var share = Capacity.BandwidthBytesPerSecond * 0.5;
        var alone = await Migrate("vm-alone", a, b);
        Assert.Equal(share, alone.BandwidthBytesPerSecond, 6);

        // Two equal VMs leave host a together: each gets half of a's uplink for the whole migration.
        var wave = _grid.Client.GetGrain<IMigrationWaveGrain>(0);
        var equal = await wave.Migrate([Request("vm-1", a, b, Ram), Request("vm-2", a, c, Ram)]);
        Assert.All(equal, r => Assert.Equal(share / 2, r.BandwidthBytesPerSecond, 6));
        Assert.All(equal, r => Assert.Equal(2 * alone.TotalSeconds, r.TotalSeconds, 6));

        // A small VM and a large one: the small one finishes at half rate, then the large one has the link to itself.
        var unequal = await wave.Migrate([Request("vm-big", a, b, Ram), Request("vm-small", a, c, Ram / 2)]);
        Assert.Equal(share / 2, unequal[1].BandwidthBytesPerSecond, 6);
        var smallDone = Ram / 2 / (share / 2);
        var bigDone = smallDone + (Ram - Ram / 2) / share;
        Assert.Equal(Ram / bigDone, unequal[0].BandwidthBytesPerSecond, 6);
        Assert.Equal(bigDone, unequal[0].TotalSeconds, 6);

        // Migrations on disjoint links do not slow each other down.
        var disjoint = await wave.Migrate([Request("vm-3", a, b, Ram), Request("vm-4", c, a, Ram)]);
        Assert.All(disjoint, r => Assert.Equal(share, r.BandwidthBytesPerSecond, 6));
        await Assert.ThrowsAsync<ArgumentException>(() => wave.Migrate([Request("vm-5", a, b, Ram), Request("vm-5", a, c, Ram)]));
    }

    [Fact]
    public async Task AWaveToOneDestinationMovesDataInRequestOrder()
    {
        var image = TestImages.Disk(seed: 41, size: 2 << 20, zeroShare: 0.1);
        await _grid.IngestOk("shared-base", TestImages.Write(_temp.File("shared.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        await Configured(b);
        var reports = await _grid.Client.GetGrain<IMigrationWaveGrain>(0).Migrate(
            [Request("first", a, b, Ram, "shared-base"), Request("second", a, b, Ram, "shared-base")]);
        Assert.True(reports[0].Disk.ChunkBytes > 0);
        Assert.Equal(0, reports[1].Disk.ChunkBytes);
        Assert.Equal(image.Length - reports[1].Disk.ZeroBytes, reports[1].Disk.PresentBytes + reports[1].Disk.DedupBytes);
    }

    private static VmMigrationRequest Request(string vm, string from, string to, long ram, params string[] disks) =>
        new(vm, from, to, ram, DirtyModelSpec.None, disks);
}
