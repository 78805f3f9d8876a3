using OrleansDedup.Chunking;

namespace OrleansDedup.Storage.Tests;

public sealed class PackScannerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (ChunkStore Store, int PackId, List<PackRecord> Written) WritePack(int count)
    {
        var random = new Random(3);
        var store = new ChunkStore(_dir.Path);
        var written = new List<PackRecord>();
        using var writer = store.CreateWriter();
        for (var i = 0; i < count; i++)
        {
            var chunk = ChunkStoreTests.RandomChunk(random, random.Next(1, 20_000));
            var fingerprint = Fingerprint.Compute(chunk);
            written.Add(new PackRecord(fingerprint, writer.Append(fingerprint, chunk)));
        }

        return (store, writer.PackId, written);
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
            var last = written[^1].Location;
            using (var file = new FileStream(path, FileMode.Open))
            {
                file.SetLength(cutInsideHeader ? last.Offset - PackWriter.RecordHeaderSize + 5 : last.Offset + last.Length - 1);
            }

            Assert.Equal(written[..^1], PackScanner.Scan(path));
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
