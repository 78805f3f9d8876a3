using System.Net;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace OrleansDedup.Host.Tests;

/// <summary>
/// Ingests by path while a directory inside the image root is swapped, atomically and over and over, with a symbolic
/// link to a directory outside it holding a file of the same name (renameat2 RENAME_EXCHANGE). Whenever the swap falls
/// between the path check and an open, the silo must refuse; it must never store the outside file, nor a mix of both.
/// </summary>
public sealed partial class PathRaceTests(SiloFixture silo, ITestOutputHelper output) : IClassFixture<SiloFixture>
{
    private const int Ingests = 40;
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [Fact]
    public async Task A_symlink_swapped_in_during_ingest_is_refused_and_the_outside_file_never_stored()
    {
        var inside = SiloFixture.MakeImage(51); // several segments: each segment grain opens the file on its own
        var outside = SiloFixture.MakeImage(52);
        var directory = Path.Combine(silo.Root, "race");
        var link = Path.Combine(silo.Root, "race-swap");
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(Path.Combine(silo.Outside, "race"));
        silo.WriteImage(directory, "disk.raw", inside);
        silo.WriteImage(Path.Combine(silo.Outside, "race"), "disk.raw", outside);
        File.CreateSymbolicLink(link, Path.Combine(silo.Outside, "race"));
        var path = Path.Combine(directory, "disk.raw");

        using var stop = new CancellationTokenSource();
        long swaps = 0;
        var swapper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(0, Exchange(directory, link));
                swaps++;
            }
            if (swaps % 2 == 1) Exchange(directory, link); // leave the real directory in place
        });
        swapper.Start();
        var outcomes = new Dictionary<string, int>();
        try
        {
            for (var i = 0; i < Ingests; i++)
            {
                var outcome = await IngestAndCheck($"race-{i}", path, inside, outside);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        finally
        {
            stop.Cancel();
            swapper.Join();
        }
        output.WriteLine($"{swaps} swaps; {string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"))}");
        Assert.True(swaps > Ingests, "the swapper hardly ran");
        // With the directory left in place, the same path ingests the inside file.
        Assert.Equal("stored", await IngestAndCheck("race-after", path, inside, outside));
    }

    /// <summary>One ingest during the swaps: "stored" (and then its content is the inside file's, byte for byte),
    /// or the kind of refusal; anything else fails the test.</summary>
    private async Task<string> IngestAndCheck(string name, string path, byte[] inside, byte[] outside)
    {
        using var started = await silo.IngestByPath(name, path, silo.ApiKey);
        if (started.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.True(started.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest,
                $"{name}: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
            await SiloFixture.Problem(started, started.StatusCode);
            return $"refused {(int)started.StatusCode}";
        }
        var status = await silo.WaitForIngest(name);
        var state = status.GetProperty("state").GetString();
        if (state != "succeeded")
        {
            Assert.True(state == "failed" && status.GetProperty("errorKind").GetString() == "badinput", $"{name}: {status}");
            Assert.DoesNotContain('\n', status.GetProperty("error").GetString()!);
            return "failed badinput";
        }
        var stored = await silo.Content(name);
        Assert.False(stored.AsSpan().SequenceEqual(outside), $"{name}: the file outside the image root was stored");
        Assert.True(stored.AsSpan().SequenceEqual(inside), $"{name}: stored content is neither file (a mix of both)");
        return "stored";
    }

    private static int Exchange(string a, string b) => Renameat2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Renameat2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
