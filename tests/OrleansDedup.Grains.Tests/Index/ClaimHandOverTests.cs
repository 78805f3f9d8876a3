using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests.Index;

/// <summary>A shard that moves (here: its silo shuts down) takes its live claims along, so that an ingest waiting on
/// one still gets the owner's chunk instead of storing it again.</summary>
public sealed class ClaimHandOverTests
{
    [Fact]
    public async Task A_shard_that_moves_keeps_its_claims_and_a_waiter_gets_the_owners_chunk()
    {
        using var temp = new TempDirectory();
        await using var grid = await Grid.StartAsync(temp.Data, silos: 3);
        // Not the first silo: the test's client talks through its gateway.
        var stats = await grid.ShardStats();
        var leaving = grid.Cluster.Silos.Skip(1).First(s => stats.Any(t => t.Silo == s.Name));
        var shard = stats.First(s => s.Silo == leaving.Name).Shard;
        var (fingerprint, bytes) = Enumerable.Range(0, 1000).Select(seed => TestImages.Random(seed, 4096))
            .Select(b => (Fingerprint.Compute(b), b)).First(c => c.Item1.Shard(Grid.ShardCount) == shard);
        var batch = new[] { fingerprint };
        var index = grid.Client.GetGrain<IFingerprintIndexGrain>(shard);
        // Both on the first silo, which stays.
        var owner = new ClaimOwner(Guid.NewGuid(), grid.Cluster.Silos[0].SiloAddress);
        var waiter = new ClaimOwner(Guid.NewGuid(), grid.Cluster.Silos[0].SiloAddress);

        Assert.Equal([ClaimState.Owned], await index.Claim(batch, owner));
        var waiting = index.AwaitClaims(batch, waiter);
        await grid.Cluster.StopSiloAsync(leaving);
        // The waiting call ended so that the shard could leave (or it reached the new activation and waited there).
        Assert.Equal([ClaimState.Pending], await waiting);
        Assert.NotEqual(leaving.Name, (await index.GetStats()).Silo);
        Assert.Equal([ClaimState.Pending], await index.Claim(batch, waiter));

        // The owner, on a silo still up, stores the chunk and inserts it into the shard where it is now.
        using (var pack = grid.Store.CreateWriter())
        {
            var chunk = pack.Append(fingerprint, bytes);
            pack.Flush();
            var location = pack.LocationOf(chunk);
            var collided = await index.Insert(new InsertBatch([new NewIndexEntry(fingerprint, location, null)]));
            Assert.Equal([false], collided);
        }
        Assert.Equal([ClaimState.Known], await index.AwaitClaims(batch, waiter));
        Assert.True((await index.Resolve([fingerprint]))[0].Found);
        await grid.VerifyOk();
    }
}
