using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Index;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>References given back for an earlier life of a shard are refused: the restart may have lost the very
/// changes being undone, and undoing them again could free a chunk that an alias in another shard still uses.</summary>
public sealed class ShardEpochTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    [Fact]
    public async Task A_release_for_another_epoch_changes_nothing_and_one_for_the_current_epoch_applies()
    {
        var grid = fixture.Grid;
        await grid.IngestOk("epochs", TestImages.Write(fixture.Temp.File("epochs.img"), TestImages.Random(seed: 71, 64 << 10)), ChunkingStrategy.Fixed);
        var entry = await grid.Service<IndexRouter>().ListAll().FirstAsync(e => e.Pieces is null);
        var shard = grid.Client.GetGrain<IFingerprintIndexGrain>(entry.Fingerprint.Shard(Grid.ShardCount));
        var batch = new ReferenceBatch([entry.Fingerprint], [1]);

        var stale = await shard.Release(batch, Guid.NewGuid());
        Assert.True(stale.Refused);
        Assert.Equal(entry.References, (await shard.Resolve([entry.Fingerprint]))[0].References);

        var current = await shard.Release(batch, await shard.GetEpoch());
        Assert.False(current.Refused);
        var after = (await shard.Resolve([entry.Fingerprint]))[0];
        Assert.Equal(entry.References - 1, after.Found ? after.References : 0);
    }
}
