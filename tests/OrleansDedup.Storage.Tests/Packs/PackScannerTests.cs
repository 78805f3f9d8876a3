using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Storage.Tests.Packs;

public sealed class PackScannerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (ChunkStore Store, int PackId, List<PackRecord> Written) WritePack(int count)
    {
        var random = new Random(3);
        var store = new ChunkStore(_dir.Path);
        var written = PackWrites.Write(store, Enumerable.Range(0, count).Select(_ => ChunkStoreTests.RandomChunk(random, random.Next(1, 20_000))).ToList());
        return (store, written[0].Location.Pack, written);
    }

    [Fact]
    public void Scan_lists_exactly_the_appended_records()
    {
        var (store, packId, written) = WritePack(300);
        using (store)
        {
            Assert.Equal(written, PackScanner.Scan(store.PackPath(packId)));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scan_stops_silently_at_a_torn_tail(bool cutInsideHeader)
    {
        var (store, packId, written) = WritePack(50);
        using (store)
        {
            var path = store.PackPath(packId);
            var lastFrame = written[^1].Location.Frame;
            Assert.Contains(written, r => r.Location.Frame != lastFrame);
            using (var file = new FileStream(path, FileMode.Open))
            {
                file.SetLength(cutInsideHeader ? lastFrame + 5 : file.Length - 1);
            }

            // A frame is written whole or not at all: the torn one loses every chunk it held, the others are intact.
            Assert.Equal(written.Where(r => r.Location.Frame != lastFrame), PackScanner.Scan(path));
        }
    }

    [Fact]
    public void Scan_of_a_pack_cut_inside_its_magic_is_empty_and_a_foreign_file_is_rejected()
    {
        using var store = new ChunkStore(_dir.Path);
        File.WriteAllBytes(store.PackPath(5), "ODPA"u8.ToArray());
        Assert.Empty(PackScanner.Scan(store.PackPath(5)));

        File.WriteAllBytes(store.PackPath(6), "NOTAPACK-and-more"u8.ToArray());
        Assert.Throws<InvalidDataException>(() => PackScanner.Scan(store.PackPath(6)).ToList());
        Assert.Throws<ArgumentException>(() => PackScanner.Scan(Path.Combine(_dir.Path, "other.bin")));
    }
}
