using Orleans.Serialization;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using OrleansDedup.Storage;

namespace OrleansDedup.Grains.Tests;

/// <summary>Messages between silos keep fingerprints and locations intact (they cross as surrogates).</summary>
public sealed class SerializationTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    [Fact]
    public void Index_messages_survive_the_wire()
    {
        var serializer = fixture.Grid.Service<Serializer>(0);
        var fingerprints = Enumerable.Range(0, 50).Select(i => Fingerprint.Compute(BitConverter.GetBytes(i))).ToArray();
        var batch = new ReferenceBatch(fingerprints, Enumerable.Range(1, 50).ToArray());
        var back = serializer.Deserialize<ReferenceBatch>(serializer.SerializeToArray(batch));
        Assert.Equal(fingerprints, back.Fingerprints);
        Assert.Equal(batch.Counts, back.Counts);

        var entry = new NewIndexEntry(fingerprints[3], new ChunkLocation(7, 123456789012, 4096), 2, [new AliasPiece(fingerprints[4], 10, 20)]);
        var entryBack = serializer.Deserialize<InsertBatch>(serializer.SerializeToArray(new InsertBatch([entry]))).Entries[0];
        Assert.Equal(entry.Fingerprint, entryBack.Fingerprint);
        Assert.Equal(entry.Location, entryBack.Location);
        Assert.Equal(entry.Pieces, entryBack.Pieces);
    }
}
