using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Storage.Tests.Compression;

/// <summary>Packs of compressed frames, on real bytes: this test assembly's own code, which compresses about 2:1.</summary>
public sealed class CompressedPackTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // A real assembly, several frames long whatever this project holds (its own DLL is under one frame).
    private static byte[] RealBytes() => File.ReadAllBytes(typeof(Assert).Assembly.Location);

    private (ChunkStore Store, List<PackRecord> Written, List<byte[]> Chunks) Write(PackSettings settings, byte[] data, int chunkSize = 4096)
    {
        var store = new ChunkStore(_dir.Path, settings);
        var chunks = Enumerable.Range(0, data.Length / chunkSize).Select(i => data.AsSpan(i * chunkSize, chunkSize).ToArray()).ToList();
        return (store, PackWrites.Write(store, chunks), chunks);
    }

    private static void AssertReadsBack(ChunkStore store, List<PackRecord> written, List<byte[]> chunks)
    {
        using var reader = new PackReader(store);
        var buffer = new byte[65536];
        // Backwards, so that the reader's few cached frames do not hide a frame decoded wrongly.
        for (var i = written.Count - 1; i >= 0; i--)
        {
            reader.Read(written[i].Location, buffer);
            Assert.True(buffer.AsSpan(0, chunks[i].Length).SequenceEqual(chunks[i]), $"chunk {i} came back changed");
        }
    }

    [Theory]
    [InlineData("auto:3")]
    [InlineData("zstd:1")]
    [InlineData("zstd:9")]
    public void Compressible_chunks_are_stored_compressed_and_read_back_identical(string compression)
    {
        var data = RealBytes();
        var (store, written, chunks) = Write(new PackSettings(CompressionSettings.Parse(compression), 64 << 10), data);
        using (store)
        {
            var frames = PackScanner.Frames(store.PackPath(written[0].Location.Pack)).ToList();
            Assert.True(frames.Count > 1);
            Assert.True(frames.Sum(f => (long)f.StoredLength) < frames.Sum(f => (long)f.RawLength) * 3 / 4,
                $"{frames.Sum(f => (long)f.StoredLength)} of {frames.Sum(f => (long)f.RawLength)} bytes stored");
            Assert.Equal(written, PackScanner.Scan(store.PackPath(written[0].Location.Pack)));
            AssertReadsBack(store, written, chunks);
        }
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("zstd")]
    public void Incompressible_chunks_are_stored_as_they_are(string compression)
    {
        var data = new byte[1 << 20];
        new Random(7).NextBytes(data);
        var (store, written, chunks) = Write(new PackSettings(CompressionSettings.Parse(compression), 128 << 10), data);
        using (store)
        {
            var frames = PackScanner.Frames(store.PackPath(written[0].Location.Pack)).ToList();
            Assert.Equal(8, frames.Count);
            Assert.All(frames, f => Assert.Equal(f.RawLength, f.StoredLength));
            AssertReadsBack(store, written, chunks);
        }
    }

    [Fact]
    public void Without_compression_frames_hold_the_raw_bytes()
    {
        var (store, written, chunks) = Write(PackSettings.Uncompressed, RealBytes());
        using (store)
        {
            Assert.All(PackScanner.Frames(store.PackPath(written[0].Location.Pack)), f => Assert.Equal(f.RawLength, f.StoredLength));
            AssertReadsBack(store, written, chunks);
        }
    }

    [Theory]
    [InlineData("flip a data byte")]
    [InlineData("flip a table byte")]
    [InlineData("length past the pack")]
    [InlineData("truncate the frame")]
    public void A_damaged_frame_is_refused_by_name_and_other_frames_still_read(string damage)
    {
        var (store, written, chunks) = Write(new PackSettings(CompressionSettings.Default, 64 << 10), RealBytes());
        using (store)
        {
            var path = store.PackPath(written[0].Location.Pack);
            var frames = PackScanner.Frames(path).ToList();
            var victim = damage == "truncate the frame" ? frames[^1] : frames[1];
            Assert.True(victim.StoredLength < victim.RawLength, "the damaged frame must be a compressed one");
            using (var file = new FileStream(path, FileMode.Open))
            {
                var tableEnd = victim.Position + 16 + victim.Chunks * 36;
                switch (damage)
                {
                    case "flip a data byte": Flip(file, tableEnd + victim.StoredLength / 2); break;
                    case "flip a table byte": Flip(file, victim.Position + 20); break;
                    case "length past the pack": Poke(file, victim.Position, BitConverter.GetBytes(int.MaxValue / 2)); break;
                    default: file.SetLength(tableEnd + victim.StoredLength - 10); break;
                }
            }

            var hit = written.Where(r => r.Location.Frame == victim.Position).ToList();
            var buffer = new byte[65536];
            using var reader = new PackReader(store);
            var error = Assert.Throws<InvalidDataException>(() => reader.Read(hit[0].Location, buffer));
            Assert.Contains($"pack {hit[0].Location.Pack}: the frame at offset {victim.Position}", error.Message);
            var intact = written.Select((r, i) => (r, i)).Where(x => x.r.Location.Frame != victim.Position).ToList();
            Assert.NotEmpty(intact);
            foreach (var (record, i) in intact)
            {
                reader.Read(record.Location, buffer);
                Assert.True(buffer.AsSpan(0, chunks[i].Length).SequenceEqual(chunks[i]));
            }
        }
    }

    private static void Flip(FileStream file, long position)
    {
        file.Position = position;
        var b = file.ReadByte();
        Poke(file, position, [(byte)(b ^ 0x5A)]);
    }

    private static void Poke(FileStream file, long position, byte[] bytes)
    {
        file.Position = position;
        file.Write(bytes);
    }
}
