using Orleans.Serialization;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;

namespace OrleansDedup.Grains.Tests;

/// <summary>Messages between silos keep fingerprints, locations and grid spans intact (they cross as surrogates).</summary>
public sealed class SerializationTests(GridFixture fixture) : IClassFixture<GridFixture>
{
    [Fact]
    public void Index_messages_survive_the_wire()
    {
        var serializer = fixture.Grid.Service<Serializer>(0);
        var fingerprints = Enumerable.Range(0, 50).Select(i => Fingerprint.Compute(BitConverter.GetBytes(i))).ToArray();
        Assert.Equal(fingerprints, serializer.Deserialize<Fingerprint[]>(serializer.SerializeToArray(fingerprints)));

        var entry = new NewIndexEntry(fingerprints[3], new ChunkLocation(7, 123456789012, 40, 4096), [new AliasPiece(fingerprints[4], 10, 20)]);
        var entryBack = serializer.Deserialize<InsertBatch>(serializer.SerializeToArray(new InsertBatch([entry])))!.Entries[0];
        Assert.Equal(entry.Fingerprint, entryBack.Fingerprint);
        Assert.Equal(entry.Location, entryBack.Location);
        Assert.Equal(entry.Pieces, entryBack.Pieces);
    }

    [Fact]
    public void Claim_answers_cross_the_wire_without_a_box_per_answer()
    {
        var serializer = fixture.Grid.Service<Serializer>(0);
        var states = Enumerable.Range(0, 100_000).Select(i => (ClaimState)(i % 3)).ToArray();
        var wire = serializer.SerializeToArray(states);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var back = serializer.Deserialize<ClaimState[]>(wire);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(states, back);
        // A field header and the value: two bytes each (three when every element was boxed).
        Assert.InRange(wire.Length, states.Length, states.Length * 2 + 64);
        Assert.InRange(allocated, states.Length, states.Length * 2);
    }

    [Fact]
    public void Segment_work_keeps_its_grid_and_images_their_container()
    {
        var serializer = fixture.Grid.Service<Serializer>(0);
        GridSpan[] grid = [new(1 << 20, 512, 0), new((1 << 20) + 512, 2 << 20, 3584)];
        var work = new SegmentWork("img", "/images/disk.vhd", 8 << 20, 1, 1 << 20, 3 << 20, SegmentMode.FixedThenRabin, "recipes/x", grid);
        Assert.Equal(grid, serializer.Deserialize<SegmentWork>(serializer.SerializeToArray(work))!.Grid);

        var container = new ContainerInfo("vhd", "dynamic", 64 << 20, 15 << 20, 3 << 20, 41 << 10, true);
        var info = new ImageInfo("img", "/images/disk.vhd", 16 << 20, ChunkingStrategy.Guest, "ab", DateTimeOffset.UnixEpoch, 1, DedupStats.Empty, 1.5, container);
        Assert.Equal(container, serializer.Deserialize<ImageInfo>(serializer.SerializeToArray(info))!.Container);
    }
}
