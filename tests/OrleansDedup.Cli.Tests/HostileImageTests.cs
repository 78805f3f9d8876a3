using OrleansDedup.Testing.Images;

namespace OrleansDedup.Cli.Tests;

/// <summary>The crafted containers of issue 14 through the CLI: a file whose tables ask for more than it holds is
/// refused with one line and exit 3, leaving the store as it was; a valid file of tiny compressed clusters is stored
/// with a recipe bounded by its size and restores byte for byte.</summary>
public sealed class HostileImageTests : IDisposable
{
    private readonly string _store = Cli.TempStore();
    private readonly string _directory = Directory.CreateTempSubdirectory("hostile-cli-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_store)) Directory.Delete(_store, recursive: true);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Crafted_tables_are_refused_with_one_line_and_the_store_is_unchanged()
    {
        var seed = Path.Combine(_directory, "seed.raw");
        File.WriteAllBytes(seed, Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7 % 251)).ToArray());
        Assert.Equal(0, Cli.Run(_store, "ingest", seed).ExitCode);
        var before = Snapshot();
        var crafted = new (string Name, Action<string> Build, string Says)[]
        {
            ("same-l2.qcow2", p => HostileImages.SameL2Qcow2(p, 8 << 20), "L1 entry 1 points at the L2 table at 0x20000, which L1 entry 0 already uses"),
            ("same-gt.vmdk", p => HostileImages.SameGrainTableVmdk(p, 8 << 20), "grain directory entry 1 points at the grain table"),
            ("one-byte.qcow2", p => HostileImages.PackedCompressedQcow2(p, (8 << 20) / 9, inflatable: false), "bytes can hold"),
        };

        foreach (var (name, build, says) in crafted)
        {
            var path = Path.Combine(_directory, name);
            build(path);

            var refused = Cli.Run(_store, "ingest", path);

            Assert.Equal(3, refused.ExitCode);
            Assert.Contains(says, Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            Assert.Equal(before, Snapshot());
        }
    }

    [Fact]
    public void Tiny_compressed_clusters_cost_a_recipe_bounded_by_the_file_and_restore_byte_for_byte()
    {
        const long clusters = 40_000;
        var path = Path.Combine(_directory, "packed.qcow2");
        HostileImages.PackedCompressedQcow2(path, clusters, inflatable: true);
        long length = new FileInfo(path).Length;

        var ingested = Cli.Run(_store, "ingest", path, "--json");

        Assert.True(ingested.ExitCode == 0, ingested.Error);
        Assert.Equal(clusters << 16, ingested.Json[0].GetProperty("virtualSize").GetInt64());
        // One recipe entry per unit would be about 35 bytes per 40-byte cluster; blocks of 4 KiB cost a hundredth of that.
        Assert.InRange(Bytes("recipes") + Bytes("recipe-runs"), 1, length / 20);
        var restored = Path.Combine(_directory, "restored.qcow2");
        Assert.Equal(0, Cli.Run(_store, "restore", "packed.qcow2", "--out", restored).ExitCode);
        Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(restored)));
        var raw = Path.Combine(_directory, "restored.raw");
        var asRaw = Cli.Run(_store, "restore", "packed.qcow2", "--out", raw, "--format", "raw");
        Assert.True(asRaw.ExitCode == 0, asRaw.Error);
        Assert.Equal(clusters << 16, new FileInfo(raw).Length);
        Assert.Equal(0, Cli.Run(_store, "verify").ExitCode);
    }

    private long Bytes(string directory)
    {
        var path = Path.Combine(_store, directory);
        return Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
    }

    private string Snapshot()
    {
        var packs = new DirectoryInfo(Path.Combine(_store, "packs")).EnumerateFiles("*.pack").OrderBy(f => f.Name).Select(f => $"{f.Name}:{f.Length}");
        return Cli.Run(_store, "list", "--json").Out + "|" + string.Join(",", packs);
    }
}
