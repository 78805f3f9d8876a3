using System.Diagnostics;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests.Pipeline;

/// <summary>The silo running a segment that holds claims is stopped abruptly mid-insert while another ingest waits on
/// those claims: once the cluster declares the silo dead the waiter takes them over and completes; the owner's ingest
/// runs the segment again elsewhere; verify passes, and gc's recount leaves nothing dangling.</summary>
public sealed class ClaimOwnerKilledTests(ITestOutputHelper output)
{
    /// <summary>Bounds the loops that wait for the cluster, so that a hang fails the test instead of stalling it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(ChunkingStrategy.Fixed)]
    [InlineData(ChunkingStrategy.Adaptive)]
    public async Task The_waiter_takes_over_the_claims_of_an_owner_whose_silo_died(ChunkingStrategy strategy)
    {
        using var temp = new TempDirectory();
        var gate = new CallGate();
        // A lease longer than the test, so that only the death of the owner's silo passes its claims on; shards stay where
        // they start, so the silo that joins later (and dies) holds none; the dead silo's grains need not wait out the
        // directory's lease.
        await using var grid = await Grid.StartAsync(temp.Data, silos: 2,
            configure: (options, silo) => silo
                .AddOutgoingGrainCallFilter(new HoldSegmentInsert(gate, options.SiloName))
                .Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.Zero),
            dedup: o =>
            {
                o.ClaimTimeout = TimeSpan.FromMinutes(10);
                o.ShardRebalanceInterval = TimeSpan.FromHours(1);
            });
        // A first image activates the shards, the catalog and the collector on the first two silos.
        var warm = TestImages.Disk(seed: 1400, Grid.SegmentSize / 2);
        await grid.IngestOk("warm", TestImages.Write(temp.File("warm.img"), warm), strategy);
        var victim = await grid.Cluster.StartAdditionalSiloAsync();
        await grid.Cluster.WaitForLivenessToStabilizeAsync();

        // The owner ingests the image's first segment. Its image grain is active on the first silo already, so the hint
        // sends only the segment to the victim. The segment claims its first batch's new chunks, flushes their bytes and
        // inserts them: the part of the insert bound for one shard is held, so that shard's claims stay with the owner.
        var image = TestImages.Disk(seed: 1401, 3 * Grid.SegmentSize + 5000, zeroShare: 0.1, repeatShare: 0.05);
        var ownerImage = image[..Grid.SegmentSize];
        var first = grid.Cluster.Silos[0].SiloAddress;
        await Hinted(first, () => grid.Image("owner").GetIngestStatus());
        gate.Arm();
        await StartOn(grid, victim.SiloAddress, "owner", TestImages.Write(temp.File("owner.img"), ownerImage), strategy);
        Assert.Equal(victim.Name, await gate.Reached.WaitAsync(Patience));

        // The waiter ingests the whole image on the first silo; its first segment meets the owner's claims and waits.
        grid.Calls.Clear();
        await StartOn(grid, first, "waiter", TestImages.Write(temp.File("image.img"), image), strategy);
        await Until(() => Task.FromResult(grid.Calls.Snapshot().Any(c => c.Method == nameof(IFingerprintIndexGrain.AwaitClaims))));
        await grid.Cluster.KillSiloAsync(victim);
        try
        {
            var waiter = await grid.WaitForIngest("waiter", timeoutSeconds: (int)Patience.TotalSeconds);
            Assert.True(waiter.State == IngestState.Succeeded, $"the waiting ingest ended {waiter.State}: {waiter.ErrorKind} {waiter.Error}");
            await grid.Restore("waiter", temp.File("waiter.restored"));
            TestImages.AssertSameBytes(image, temp.File("waiter.restored"));

            // The owner's image grain runs the lost segment again on a survivor, which takes over its dead attempt's
            // remaining claims in turn; or it fails as lost with its silo (a client would start it again).
            var owner = await grid.WaitForIngest("owner", timeoutSeconds: (int)Patience.TotalSeconds);
            output.WriteLine($"owner: {owner.State} {owner.ErrorKind} {owner.Error}");
            if (owner.State == IngestState.Succeeded)
            {
                await grid.Restore("owner", temp.File("owner.restored"));
                TestImages.AssertSameBytes(ownerImage, temp.File("owner.restored"));
            }
            else
            {
                Assert.Equal(IngestErrorKind.SiloLost, owner.ErrorKind);
            }
            await grid.VerifyOk();

            // gc's sweep removes what the dead attempt stored, and no entry is left that nothing uses.
            var gc = await grid.Collect();
            output.WriteLine($"gc: {gc}");
            Assert.False(gc.SweepSkipped);
            var report = await grid.Verify();
            Assert.True(report.Ok, string.Join("\n", report.Problems));
            Assert.Equal(0, report.UnreferencedEntries);
        }
        finally
        {
            // A killed silo of the test cluster still runs its grains' code in this process. A dead process would never
            // send the held insert, and its pack would be closed: so the call fails, and the segment closes its pack.
            gate.Fail(new SiloUnavailableException("the silo was killed"));
        }

        // The references are exact: without the images, gc leaves an empty store.
        foreach (var name in new[] { "owner", "waiter", "warm" }) await grid.Image(name).Delete();
        await Until(async () =>
        {
            await grid.Collect();
            return grid.Store.TotalBytes() == 0;
        });
        Assert.All(await grid.ShardStats(), s => Assert.Equal(0, s.Chunks + s.Aliases));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(temp.Data, "recipes"), "*", SearchOption.AllDirectories));
        await grid.VerifyOk();
    }

    /// <summary>Starts an ingest whose segments (and image grain, if not active yet) run on <paramref name="silo"/>.</summary>
    private static async Task StartOn(Grid grid, SiloAddress silo, string name, string path, ChunkingStrategy strategy)
    {
        var status = await Hinted(silo, () => grid.Image(name).StartIngest(new IngestRequest(path, strategy)));
        Assert.True(status.State == IngestState.Running, $"{name}: {status.State} {status.Error}");
    }

    /// <summary>Makes a call with a placement hint: it flows with every call made on its behalf, and the grains those
    /// calls activate go to <paramref name="silo"/> (whichever gateway the client uses).</summary>
    private static async Task<T> Hinted<T>(SiloAddress silo, Func<Task<T>> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <summary>Polls until <paramref name="done"/>; calls that fail while the cluster notices the dead silo are retried.</summary>
    private static async Task Until(Func<Task<bool>> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await done()) return;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException && clock.Elapsed < Patience)
            {
            }
            if (clock.Elapsed > Patience) throw new TimeoutException($"still waiting after {Patience.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
