using OrleansDedup.Chunking;
using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Storage.Tests.Recipes;

/// <summary>Recipes split into shared runs and the entries where containers differ, read back entry for entry.</summary>
public sealed class RecipeFileTests : IDisposable
{
    private const int Block = RecipeFormat.Block;
    private readonly TempDirectory _temp = new();
    private readonly RecipeRuns _runs;

    public RecipeFileTests() => _runs = new RecipeRuns(Path.Combine(_temp.Path, "runs"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Every_kind_of_entry_comes_back_in_order_with_the_same_digest()
    {
        var random = new Random(7);
        var entries = new List<(RecipeEntry Entry, bool Own)>();
        for (var i = 0; i < 12_000; i++)
        {
            entries.Add(random.Next(10) switch
            {
                0 => (RecipeEntry.Zero(Block * random.Next(1, 9)), false),
                1 => (RecipeEntry.Data(random.Next(1, Block), Fp(random)), false),
                2 => (RecipeEntry.Data(Block, Fp(random)), true),
                3 => (RecipeEntry.Data(Block + random.Next(1, 1 << 16), Fp(random)), false),
                _ => (RecipeEntry.Data(Block, Fp(random)), false),
            });
        }
        // Long enough runs of whole blocks without a boundary to reach the run size limit.
        entries.AddRange(Enumerable.Range(0, 2 * RecipeFormat.MaxRunEntries).Select(_ => (RecipeEntry.Data(Block, NoBoundary(random)), false)));
        var (path, written, _) = await Recipe("mixed", entries);

        using var reader = new RecipeReader(path, _runs);
        Assert.Equal(3L << 30, reader.Offset);
        Assert.Equal(1L << 30, reader.Length);
        var read = new List<RecipeEntry>();
        while (reader.TryRead(out var e)) read.Add(e);
        Assert.Equal(Coalesce(entries.Select(e => e.Entry)), read);
        Assert.Equal(written, reader.Finish());
    }

    [Fact]
    public async Task The_same_guest_blocks_between_other_holes_and_tables_share_their_runs()
    {
        var random = new Random(11);
        var guest = Enumerable.Range(0, 20_000).Select(_ => RecipeEntry.Data(Block, Fp(random))).ToArray();
        var raw = guest.Select(e => (e, false)).ToList();
        // A container: its own header and tables first, its holes elsewhere, a sector bitmap every 512 blocks.
        var container = Enumerable.Range(0, 24).Select(_ => (RecipeEntry.Data(Block, Fp(random)), true)).ToList();
        for (var i = 0; i < guest.Length; i++)
        {
            if (i % 512 == 0) container.Add((RecipeEntry.Data(512, Fp(random)), false));
            if (random.Next(50) == 0) container.Add((RecipeEntry.Zero(Block * random.Next(1, 30)), false));
            container.Add((guest[i], false));
        }

        var (_, _, rawBytes) = await Recipe("raw", raw);
        var (_, _, containerBytes) = await Recipe("container", container);

        Assert.True(containerBytes < rawBytes / 10, $"the container's recipe added {containerBytes:N0} bytes; the raw image's took {rawBytes:N0}");
    }

    [Fact]
    public async Task A_damaged_or_missing_run_is_named_and_refused()
    {
        var random = new Random(3);
        var (path, _, _) = await Recipe("r", Enumerable.Range(0, 3000).Select(_ => (RecipeEntry.Data(Block, Fp(random)), false)).ToList());
        var run = RecipeReader.RunIds(path, _runs).First();
        var bytes = File.ReadAllBytes(_runs.PathOf(run));
        bytes[^1] ^= 1;
        File.WriteAllBytes(_runs.PathOf(run), bytes);
        var damaged = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.Contains(run.ToString(), damaged.Message);

        File.Delete(_runs.PathOf(run));
        var missing = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.Contains("missing", missing.Message);
    }

    [Fact]
    public async Task A_truncated_or_altered_recipe_is_refused()
    {
        var random = new Random(5);
        var entries = Enumerable.Range(0, 500).Select(i => (i % 7 == 0 ? RecipeEntry.Zero(Block) : RecipeEntry.Data(Block, Fp(random)), false)).ToList();
        var (path, _, _) = await Recipe("r", entries);
        var bytes = File.ReadAllBytes(path);

        foreach (var altered in new[] { bytes[..^1], bytes[..(bytes.Length / 2)], Flip(bytes, bytes.Length - 45), Flip(bytes, 30) })
        {
            File.WriteAllBytes(path, altered);
            Assert.Throws<InvalidDataException>(() => ReadAll(path));
        }
    }

    [Fact]
    public async Task Sweep_keeps_the_runs_that_recipes_name_and_removes_the_rest()
    {
        var random = new Random(9);
        var (kept, digest, _) = await Recipe("kept", Enumerable.Range(0, 3000).Select(_ => (RecipeEntry.Data(Block, Fp(random)), false)).ToList());
        var (dropped, _, _) = await Recipe("dropped", Enumerable.Range(0, 3000).Select(_ => (RecipeEntry.Data(Block, Fp(random)), false)).ToList());
        var live = RecipeReader.RunIds(kept, _runs).ToHashSet();
        var dead = RecipeReader.RunIds(dropped, _runs).ToArray();

        Assert.Equal(dead.Length, _runs.Sweep(live));

        Assert.All(dead, id => Assert.False(File.Exists(_runs.PathOf(id))));
        Assert.Equal(digest, ReadAll(kept));
    }

    [Fact]
    public async Task Two_writers_of_the_same_runs_at_once_both_complete_and_name_only_runs_that_are_there()
    {
        var random = new Random(13);
        var entries = Enumerable.Range(0, 6000).Select(_ => RecipeEntry.Data(Block, Fp(random))).ToArray();
        var paths = new[] { "one", "two" }.Select(n => Path.Combine(_temp.Path, "recipes", n + ".recipe")).ToArray();
        await using var one = new RecipeWriter(paths[0], _runs, 0, 1L << 30);
        await using var two = new RecipeWriter(paths[1], _runs, 0, 1L << 30);

        // Interleaved, as two segments of equal images: each run is stored by both while neither copy is named yet.
        foreach (var entry in entries)
        {
            one.AddData(entry.Length, entry.Fingerprint);
            two.AddData(entry.Length, entry.Fingerprint);
        }
        var digests = await Task.WhenAll(one.Complete(), two.Complete());

        Assert.Equal(digests[0], digests[1]);
        Assert.All(paths, path => Assert.All(RecipeReader.RunIds(path, _runs), id => Assert.True(File.Exists(_runs.PathOf(id)))));
        Assert.All(Directory.GetFiles(_runs.Directory), f => Assert.EndsWith(".run", f));
        Assert.Equal(digests[0], ReadAll(paths[1]));
    }

    private async Task<(string Path, byte[] Digest, long Bytes)> Recipe(string name, List<(RecipeEntry Entry, bool Own)> entries)
    {
        var path = Path.Combine(_temp.Path, "recipes", name + ".recipe");
        await using var writer = new RecipeWriter(path, _runs, 3L << 30, 1L << 30);
        foreach (var (entry, own) in entries)
        {
            if (entry.IsZero) writer.AddZero(entry.Length);
            else writer.AddData(entry.Length, entry.Fingerprint, own);
        }
        var digest = await writer.Complete();
        return (path, digest, writer.Bytes);
    }

    private byte[] ReadAll(string path)
    {
        using var reader = new RecipeReader(path, _runs);
        return reader.Finish();
    }

    /// <summary>Adjacent zero entries merge in a recipe; this is what the reader should give for the written ones.</summary>
    private static IEnumerable<RecipeEntry> Coalesce(IEnumerable<RecipeEntry> entries)
    {
        RecipeEntry? zero = null;
        foreach (var e in entries)
        {
            if (e.IsZero)
            {
                zero = RecipeEntry.Zero((zero?.Length ?? 0) + e.Length);
                continue;
            }
            if (zero is { } z) yield return z;
            zero = null;
            yield return e;
        }
        if (zero is { } last) yield return last;
    }

    private static Fingerprint Fp(Random random)
    {
        Span<byte> bytes = stackalloc byte[Fingerprint.Size];
        random.NextBytes(bytes);
        return Fingerprint.Read(bytes);
    }

    private static Fingerprint NoBoundary(Random random)
    {
        Span<byte> bytes = stackalloc byte[Fingerprint.Size];
        random.NextBytes(bytes);
        bytes[28] |= 1;
        return Fingerprint.Read(bytes);
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x55;
        return copy;
    }
}
