using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Pipeline;

/// <summary>A claiming call fails on one shard after the others have claimed their part: the segment gives back what
/// those claimed, so that its retry (a new owner) is not held up by its own first attempt until the lease runs out.</summary>
public sealed class PartialClaimFailureTests
{
    [Fact]
    public async Task A_segment_whose_claim_failed_part_way_gives_back_what_the_other_shards_claimed()
    {
        using var temp = new TempDirectory();
        var gate = new CallGate();
        // A lease longer than the test: only a claim given back can pass on.
        await using var grid = await Grid.StartAsync(temp.Data, silos: 2,
            configure: (options, silo) => silo.AddOutgoingGrainCallFilter(new HoldSegmentInsert(gate, options.SiloName, nameof(IFingerprintIndexGrain.Claim))),
            dedup: o => o.ClaimTimeout = TimeSpan.FromMinutes(10));
        var image = TestImages.Random(seed: 1500, Grid.BatchSize);

        // The first batch's claim to one shard is held, then fails as a lost silo does: the image grain runs the segment again.
        gate.Arm();
        var started = await grid.Image("x").StartIngest(new IngestRequest(TestImages.Write(temp.File("x.img"), image), ChunkingStrategy.Fixed));
        Assert.Equal(IngestState.Running, started.State);
        await gate.Reached;
        gate.Fail(new SiloUnavailableException("the shard's silo is gone"));

        var status = await grid.WaitForIngest("x");
        Assert.True(status.State == IngestState.Succeeded, $"{status.State}: {status.ErrorKind} {status.Error}");
        await grid.Restore("x", temp.File("x.restored"));
        TestImages.AssertSameBytes(image, temp.File("x.restored"));
        await grid.VerifyOk();
    }
}
