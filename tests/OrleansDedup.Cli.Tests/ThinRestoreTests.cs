using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.Cli.Tests;

/// <summary>Restores that follow the data: a 100 TiB thin qcow2 (a 2 MB file) restores in every format that holds it
/// as a file QEMU checks, and is refused in one line (exit 3) by the others; a 2^56-byte disk is refused by every
/// format; a stopped restore leaves no temporary file.</summary>
public sealed partial class ThinRestoreTests : IDisposable
{
    private const long TiB = 1L << 40;
    private const int Cluster = 64 << 10;
    private static readonly long[] DataAt = [0, 70 * TiB + 5 * Cluster, 100 * TiB - Cluster];
    private readonly string _store = Cli.TempStore();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-dedup-thin-cli-" + Guid.NewGuid().ToString("N"));

    public ThinRestoreTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        foreach (var directory in new[] { _store, _directory })
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void A_100_TiB_thin_qcow2_restores_in_each_format_that_holds_it_and_is_refused_by_the_others()
    {
        var thin = Path.Combine(_directory, "thin.qcow2");
        ImageSet.Run("qemu-img", $"create -q -f qcow2 {thin} 100T");
        foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f qcow2 -c \"write -P 0xcd {at} {Cluster}\" {thin}");
        Assert.Equal(0, Cli.Run(_store, "ingest", thin, "--name", "thin").ExitCode);

        foreach (var (format, qemu) in new[] { ("qcow2", "qcow2"), ("vdi", "vdi"), ("vmdk", "vmdk") })
        {
            var output = Path.Combine(_directory, "out." + format);
            var result = Cli.Run(_store, "restore", "thin", "--out", output, "--format", format);
            Assert.True(result.ExitCode == 0, result.Error);
            var info = JsonDocument.Parse(ImageSet.Run("qemu-img", $"info --output=json -f {qemu} {output}")).RootElement;
            Assert.Equal(100 * TiB, info.GetProperty("virtual-size").GetInt64());
            if (format != "vmdk") ImageSet.Run("qemu-img", $"check -f {qemu} {output}"); // VMDK's check walks every grain
            foreach (var at in DataAt) ImageSet.Run("qemu-io", $"-f {qemu} -c \"read -P 0xcd {at} {Cluster}\" {output}");
        }

        AssertRefused(Cli.Run(_store, "restore", "thin", "--out", Path.Combine(_directory, "out.vhd"), "--format", "vhd"), "at most 2040 GiB");
        var raw = Path.Combine(_directory, "out.raw");
        var asRaw = Cli.Run(_store, "restore", "thin", "--out", raw, "--format", "raw");
        if (asRaw.ExitCode == 0) Assert.Equal(100 * TiB, new FileInfo(raw).Length); // a file system that holds it: a hole
        else AssertRefused(asRaw, "cannot hold a file of 100 TiB"); // ext4: 16 TiB at most
        AssertNoTemporaryFiles();
    }

    [Fact]
    public void A_disk_of_2_to_the_56_bytes_is_refused_by_every_format_that_cannot_hold_it()
    {
        // qcow2 with 2 MiB clusters holds 64 PiB in a 7 MB file.
        var huge = Path.Combine(_directory, "huge.qcow2");
        ImageSet.Run("qemu-img", $"create -q -f qcow2 -o cluster_size=2M {huge} 64P");
        Assert.Equal(0, Cli.Run(_store, "ingest", huge, "--name", "huge").ExitCode);

        foreach (var (format, limit) in new[] { ("qcow2", "2 PiB"), ("vmdk", "1 PiB"), ("vdi", "512 TiB"), ("vhd", "2040 GiB") })
            AssertRefused(Cli.Run(_store, "restore", "huge", "--out", Path.Combine(_directory, "huge." + format), "--format", format), $"at most {limit}");
        var raw = Cli.Run(_store, "restore", "huge", "--out", Path.Combine(_directory, "huge.raw"), "--format", "raw");
        if (raw.ExitCode != 0) AssertRefused(raw, "cannot hold a file of 64 PiB");
        File.Delete(Path.Combine(_directory, "huge.raw"));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task A_restore_stopped_by_SIGTERM_ends_at_once_and_leaves_no_temporary_file()
    {
        // 1 GiB of guest data that the store keeps as 16 MiB: long to restore and export, quick to ingest.
        var image = Path.Combine(_directory, "large.raw");
        var block = new byte[16 << 20];
        Random.Shared.NextBytes(block);
        await using (var file = File.Create(image))
            for (var i = 0; i < 64; i++) await file.WriteAsync(block);
        Assert.Equal(0, Cli.Run(_store, "ingest", image, "--name", "large").ExitCode);
        File.Delete(image);

        var output = Path.Combine(_directory, "large.vdi");
        using var process = Cli.Start(_store, "restore", "large", "--out", output, "--format", "vdi");
        var error = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        for (var i = 0; i < 1200 && !Directory.EnumerateFiles(_directory).Any(); i++) await Task.Delay(25);
        Assert.False(process.HasExited, "the restore ended before the signal");

        var signalled = Stopwatch.StartNew();
        Assert.Equal(0, Kill(process.Id, 15));
        var exited = process.WaitForExit(TimeSpan.FromSeconds(30));
        if (!exited) process.Kill(entireProcessTree: true);
        Assert.True(exited && signalled.Elapsed < TimeSpan.FromSeconds(2), $"the CLI took {signalled.Elapsed.TotalSeconds:0.0} s to stop");
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("error: cancelled", await error);
        await standardOutput;
        Assert.Empty(Directory.EnumerateFiles(_directory));
    }

    private static void AssertRefused(CliResult result, string limit)
    {
        Assert.Equal(3, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: cannot", line);
        Assert.Contains(limit, line);
    }

    private void AssertNoTemporaryFiles() =>
        Assert.DoesNotContain(Directory.EnumerateFiles(_directory), f => f.EndsWith(".partial", StringComparison.Ordinal) || f.EndsWith(".container", StringComparison.Ordinal));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
