using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansDedup.Cli.Tests;

/// <summary>A stopped CLI stops: SIGTERM or SIGINT mid-ingest ends it within 2 s with exit 130 and one line.</summary>
public sealed partial class StopSignalTests : IDisposable
{
    private const int SigInt = 2, SigTerm = 15;
    private readonly string _store = Cli.TempStore();
    private readonly string _images = Path.Combine(Path.GetTempPath(), "orleans-dedup-signal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        foreach (var directory in new[] { _store, _images })
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData(SigTerm)]
    [InlineData(SigInt)]
    public async Task A_signal_mid_ingest_ends_the_cli_within_two_seconds(int signal)
    {
        // Many names for one file of random bytes: 16 GiB to hash for the grid, 32 MiB of disk for the test.
        Directory.CreateDirectory(_images);
        var first = Path.Combine(_images, "disk-000.raw");
        var bytes = new byte[32 << 20];
        Random.Shared.NextBytes(bytes);
        await File.WriteAllBytesAsync(first, bytes);
        var paths = Enumerable.Range(0, 512).Select(i => Path.Combine(_images, $"disk-{i:D3}.raw")).ToArray();
        foreach (var path in paths.Skip(1)) File.CreateSymbolicLink(path, first);

        using var process = Cli.Start(_store, ["ingest", .. paths]);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        await WaitForIngestToRun();
        Assert.False(process.HasExited, "the ingest ended before the signal");

        var signalled = Stopwatch.StartNew();
        Assert.True(Kill(process.Id, signal) == 0, $"kill failed: errno {Marshal.GetLastPInvokeError()}, exited {process.HasExited}");
        var exited = process.WaitForExit(TimeSpan.FromSeconds(30));
        var took = signalled.Elapsed;
        if (!exited) process.Kill(entireProcessTree: true);

        Assert.True(exited, "the CLI was still running 30 s after the signal");
        Assert.True(took < TimeSpan.FromSeconds(2), $"the CLI took {took.TotalSeconds:0.0} s to stop");
        Assert.Equal(130, process.ExitCode);
        var lines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("error: cancelled", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal));
        await output;
    }

    /// <summary>The store's recipes directory appears once the first segment runs.</summary>
    private async Task WaitForIngestToRun()
    {
        var recipes = Path.Combine(_store, "recipes");
        for (var i = 0; i < 600 && !(Directory.Exists(recipes) && Directory.EnumerateFileSystemEntries(recipes).Any()); i++)
            await Task.Delay(50);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
