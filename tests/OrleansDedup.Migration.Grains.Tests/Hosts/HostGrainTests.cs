using OrleansDedup.Chunking;
using OrleansDedup.Migration.Grains.Tests.Infrastructure;

namespace OrleansDedup.Migration.Grains.Tests.Hosts;

/// <summary>A host grain's chunk cache on a three-silo test cluster: what it restores is checked.</summary>
public sealed class HostGrainTests : ThreeHostGrid
{
    [Fact]
    public async Task AHostRestoresThroughTheCheckedRestorerSoADamagedCacheLeavesNoFile()
    {
        var image = TestImages.Disk(seed: 17, size: 1 << 20, zeroShare: 0, repeatShare: 0);
        await Grid.IngestOk("damaged-disk", TestImages.Write(Temp.File("damaged.raw"), image), ChunkingStrategy.Fixed);
        var (a, b) = (Host(0), Host(1));
        await Configured(a);
        var destination = await Configured(b);
        await Migrate("vm-d", a, b, "damaged-disk");
        foreach (var pack in Directory.EnumerateFiles(Path.Combine(Temp.Data, "hosts", Uri.EscapeDataString(b), "packs")))
        {
            using var file = File.Open(pack, FileMode.Open, FileAccess.ReadWrite);
            file.Position = file.Length / 2;
            var at = file.ReadByte();
            file.Position = file.Length / 2;
            file.WriteByte((byte)(at ^ 0xFF));
        }

        var restored = Temp.File("damaged.restored");
        await Assert.ThrowsAnyAsync<Exception>(() => destination.RestoreImage("damaged-disk", restored));
        Assert.False(File.Exists(restored));
        Assert.False(File.Exists(restored + ".partial"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => destination.RestoreImage("no-such-image", restored));
    }
}
