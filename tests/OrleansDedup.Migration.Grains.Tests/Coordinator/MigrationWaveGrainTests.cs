using OrleansDedup.Chunking;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Grains.Tests.Infrastructure;

namespace OrleansDedup.Migration.Grains.Tests.Coordinator;

/// <summary>Waves of migrations on a three-silo test cluster: they share links max-min fairly and move data in request order.</summary>
public sealed class MigrationWaveGrainTests : ThreeHostGrid
{
    [Fact]
    public async Task MigrationsOfAWaveShareTheSourceUplinkMaxMinFairly()
    {
        var (a, b, c) = (Host(0), Host(1), Host(2));
        foreach (var host in new[] { a, b, c }) await Configured(host);
        var share = Capacity.BandwidthBytesPerSecond * 0.5;
        var alone = await Migrate("vm-alone", a, b);
        Assert.Equal(share, alone.BandwidthBytesPerSecond, 6);

        // Two equal VMs leave host a together: each gets half of a's uplink for the whole migration.
        var wave = Grid.Client.GetGrain<IMigrationWaveGrain>(0);
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
        await Grid.IngestOk("shared-base", TestImages.Write(Temp.File("shared.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        await Configured(b);
        var reports = await Grid.Client.GetGrain<IMigrationWaveGrain>(0).Migrate(
            [Request("first", a, b, Ram, "shared-base"), Request("second", a, b, Ram, "shared-base")]);
        Assert.True(reports[0].Disk.ChunkBytes > 0);
        Assert.Equal(0, reports[1].Disk.ChunkBytes);
        Assert.Equal(image.Length - reports[1].Disk.ZeroBytes, reports[1].Disk.PresentBytes + reports[1].Disk.DedupBytes);
    }
}
