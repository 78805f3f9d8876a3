using OrleansDedup.Testing.Images;

namespace OrleansDedup.Cli.Tests;

/// <summary>One 32 MiB ext4 guest in every layout qemu-img makes, built once for the tests below.</summary>
public sealed class ContainerImages : IDisposable
{
    public ImageSet Set { get; } = new(32 << 20, 12 << 20);

    public static readonly string[] Five = ["raw", "qcow2-v3", "vmdk-monolithicSparse", "vhd-dynamic", "vdi-dynamic"];

    public void Dispose() => Set.Dispose();
}

/// <summary>The CLI on container files: restore as ingested or as the raw guest disk, the format in stats, and a
/// container with a broken table refused unless ingested as opaque bytes.</summary>
public sealed class ContainerFormatTests(ContainerImages images) : IClassFixture<ContainerImages>, IDisposable
{
    private readonly List<string> _stores = [];

    /// <summary>A store of this test's own, deleted with it: restores of 32 MiB guests add up.</summary>
    private string NewStore()
    {
        var store = Cli.TempStore();
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores.Where(Directory.Exists)) Directory.Delete(store, recursive: true);
    }

    [Fact]
    public void Each_format_restores_as_ingested_and_as_its_raw_guest_disk()
    {
        var store = NewStore();
        var paths = ContainerImages.Five.Select(images.Set.PathOf).ToArray();
        Assert.Equal(0, Cli.Run(store, ["ingest", .. paths]).ExitCode);

        var stats = Cli.Run(store, "stats", "--json").Json.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        foreach (var (layout, path) in ContainerImages.Five.Zip(paths))
        {
            var name = Path.GetFileName(path);
            var image = stats[name];
            Assert.Equal(ImageSet.Layouts.Single(l => l.Name == layout).Format.ToString().ToLowerInvariant(), image.GetProperty("format").GetString());
            Assert.True(image.GetProperty("guestDataBytes").GetInt64() > 0);
            Assert.Equal(new FileInfo(path).Length, image.GetProperty("guestDataBytes").GetInt64() + image.GetProperty("containerMetadataBytes").GetInt64());

            var original = Path.Combine(store, name + ".restored");
            Assert.Equal(0, Cli.Run(store, "restore", name, "--out", original).ExitCode);
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(File.ReadAllBytes(original)), $"{name} restored differs");

            var raw = Path.Combine(store, name + ".raw");
            var result = Cli.Run(store, "restore", name, "--out", raw, "--format", "raw");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.True(File.ReadAllBytes(images.Set.Raw).AsSpan().SequenceEqual(File.ReadAllBytes(raw)), $"{name} as raw differs from the raw image");
            Assert.False(File.Exists(raw + ".container"), "the temporary container is removed");
        }
        Assert.Contains("vhd (dynamic)", Cli.Run(store, "stats").Out);
    }

    [Fact]
    public void A_vmdk_restores_as_vhd_vdi_qcow2_and_vmdk_that_qemu_reads_as_the_same_guest_disk()
    {
        var store = NewStore();
        var vmdk = images.Set.PathOf("vmdk-monolithicSparse");
        Assert.Equal(0, Cli.Run(store, "ingest", vmdk, "--name", "vm").ExitCode);

        var vhd = Path.Combine(store, "vm.vhd");
        var result = Cli.Run(store, "restore", "vm", "--out", vhd, "--format", "vhd", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("vhd", result.Json.GetProperty("format").GetString());
        Assert.Equal(new FileInfo(images.Set.Raw).Length + 512, new FileInfo(vhd).Length);
        // Exit code 0 only when the guest contents are the same.
        ImageSet.Run("qemu-img", $"compare -f raw -F vpc {images.Set.Raw} {vhd}");

        foreach (var format in new[] { "vdi", "qcow2", "vmdk" })
        {
            var packed = Path.Combine(store, "vm." + format);
            result = Cli.Run(store, "restore", "vm", "--out", packed, "--format", format, "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Equal(format, result.Json.GetProperty("format").GetString());
            ImageSet.Run("qemu-img", $"check -f {format} {packed}");
            ImageSet.Run("qemu-img", $"compare -f raw -F {format} {images.Set.Raw} {packed}");
        }
        Assert.Equal(["vm.qcow2", "vm.vdi", "vm.vhd", "vm.vmdk"], Directory.GetFiles(store, "vm.*").Select(Path.GetFileName).Order()); // no temporary file left
    }

    [Fact]
    public void Restore_to_an_unknown_format_is_a_usage_error_naming_the_formats()
    {
        var store = NewStore();
        var result = Cli.Run(store, "restore", "x", "--out", Path.Combine(store, "x.iso"), "--format", "iso");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown format 'iso'; use original, raw, qcow2, vmdk, vhd or vdi", result.Error);
    }

    [Fact]
    public void Container_with_a_bad_table_entry_is_refused_and_ingests_as_opaque_bytes_on_request()
    {
        var store = NewStore();
        Assert.Equal(0, Cli.Run(store, "ingest", images.Set.Raw).ExitCode);
        var before = Snapshot(store);
        var broken = Path.Combine(store, "broken.qcow2");
        var beyond = ImageSet.BreakQcow2L2Entry(images.Set.PathOf("qcow2-v3"), broken, 12);

        var refused = Cli.Run(store, "ingest", broken);

        Assert.Equal(3, refused.ExitCode);
        var lines = refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains($"L2 table entry 12 of L1 entry 0 points at 0x{beyond:x} beyond the end of the file", lines[0]);
        Assert.Equal(before, Snapshot(store));

        var accepted = Cli.Run(store, "ingest", broken, "--opaque", "--json");
        Assert.True(accepted.ExitCode == 0, accepted.Error);
        var image = accepted.Json[0];
        Assert.Equal("qcow2", image.GetProperty("format").GetString());
        Assert.Contains("opaque", image.GetProperty("formatVariant").GetString());
        var restored = Path.Combine(store, "broken.restored");
        Assert.Equal(0, Cli.Run(store, "restore", "broken.qcow2", "--out", restored).ExitCode);
        Assert.True(File.ReadAllBytes(broken).AsSpan().SequenceEqual(File.ReadAllBytes(restored)));
        Assert.Equal(0, Cli.Run(store, "verify").ExitCode);
    }

    private static string Snapshot(string store)
    {
        var packs = new DirectoryInfo(Path.Combine(store, "packs")).EnumerateFiles("*.pack").OrderBy(f => f.Name).Select(f => $"{f.Name}:{f.Length}");
        return Cli.Run(store, "list", "--json").Out + "|" + string.Join(",", packs);
    }
}
