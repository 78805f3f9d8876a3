using OrleansDedup.Chunking;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Tests.Operations;

/// <summary>The restore pipeline loads the next batch of an image while it assembles and writes the ones before: an image
/// of many batches comes back in order; a damaged chunk in a later batch, or a cancellation mid-restore, stops every
/// stage and leaves no file; and the restore after it runs as if nothing had happened.</summary>
public sealed class ImageRestorerTests
{
    private const int Batch = 8 << 20;
    private const int Size = 5 * Batch + (3 << 20);

    [Fact]
    public async Task An_image_of_many_batches_restores_in_order_and_a_damaged_chunk_in_its_last_batch_leaves_no_file()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1);
        var image = await IngestDisk(grid, temp, seed: 77);
        var restorer = grid.Service<ImageRestorer>();

        await restorer.Restore("x", temp.File("x.restored"));
        TestImages.AssertSameBytes(image, temp.File("x.restored"));

        Damage(grid.Store, LastDataBlock(image));
        long written = 0;
        var refused = await Assert.ThrowsAsync<InvalidDataException>(
            () => restorer.Restore("x", temp.File("x.again"), n => written += n));
        Assert.Contains("damaged", refused.Message);
        Assert.True(written >= Batch, $"only {written} bytes were written before the damage was found: it was not in a later batch");
        Assert.False(File.Exists(temp.File("x.again")));
        Assert.False(File.Exists(temp.File("x.again.partial")));
    }

    [Fact]
    public async Task A_restore_cancelled_mid_way_leaves_no_file_and_the_next_one_is_whole()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 1);
        var image = await IngestDisk(grid, temp, seed: 78);
        var restorer = grid.Service<ImageRestorer>();

        using var cancel = new CancellationTokenSource();
        long written = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => restorer.Restore("x", temp.File("x.restored"), n =>
        {
            if ((written += n) >= Batch) cancel.Cancel();
        }, cancel.Token));
        Assert.InRange(written, Batch, Size - 1);
        Assert.False(File.Exists(temp.File("x.restored")));
        Assert.False(File.Exists(temp.File("x.restored.partial")));

        await restorer.Restore("x", temp.File("x.restored"));
        TestImages.AssertSameBytes(image, temp.File("x.restored"));
    }

    /// <summary>Ingests a disk-like image of six and a half restore batches, holes included, as "x".</summary>
    private static async Task<byte[]> IngestDisk(Grid grid, TempDirectory temp, int seed)
    {
        var image = TestImages.Disk(seed, Size);
        await grid.IngestOk("x", TestImages.Write(temp.File("x.img"), image), ChunkingStrategy.Fixed);
        return image;
    }

    /// <summary>The fingerprint of the image's last 4 KiB block that is not all zeros (the fixed strategy's chunks).</summary>
    private static Fingerprint LastDataBlock(byte[] image)
    {
        for (var at = image.Length - 4096; at >= 0; at -= 4096)
            if (image.AsSpan(at, 4096).ContainsAnyExcept((byte)0)) return Fingerprint.Compute(image.AsSpan(at, 4096));
        throw new InvalidOperationException("the image is all zeros");
    }

    /// <summary>Flips a byte in the middle of the stored bytes of the frame that holds <paramref name="chunk"/>.</summary>
    private static void Damage(ChunkStore store, Fingerprint chunk)
    {
        var (path, location) = store.ListPacks().Select(p => store.PackPath(p.Id))
            .SelectMany(path => PackScanner.Scan(path).Select(r => (Path: path, Record: r)))
            .Where(x => x.Record.Fingerprint == chunk).Select(x => (x.Path, x.Record.Location)).First();
        var frame = PackScanner.Frames(path).Single(f => f.Position == location.Frame);
        using var file = new FileStream(path, FileMode.Open);
        file.Position = frame.Position + 16 + frame.Chunks * 36 + frame.StoredLength / 2;
        var b = file.ReadByte();
        file.Position--;
        file.WriteByte((byte)(b ^ 0xFF));
    }
}
