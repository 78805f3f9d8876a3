using System.Security.Cryptography;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansDedup.Grains.Tests;

/// <summary>Segments talk to the index in batches: per batch one Claim call per shard (adaptive: a second round for the
/// residue's chunks), each fingerprint once, never one call per chunk.</summary>
public sealed class IndexBatchingTests(GridFixture fixture, ITestOutputHelper output) : IClassFixture<GridFixture>
{
    private const int Size = 5 * Grid.SegmentSize + 9 * 4096 + 1234;
    private Grid Grid => fixture.Grid;

    [Theory]
    [InlineData(ChunkingStrategy.Fixed, 1, 6)]
    [InlineData(ChunkingStrategy.Rabin, 1, 2)]
    [InlineData(ChunkingStrategy.Adaptive, 2, 2)]
    public async Task Index_is_called_once_per_shard_per_batch(ChunkingStrategy strategy, int roundsPerBatch, int fingerprintsPerCall)
    {
        var data = TestImages.Disk(seed: 800 + (int)strategy, Size, zeroShare: 0.05, repeatShare: 0.1);
        var path = TestImages.Write(fixture.Temp.File($"batching-{strategy}.img"), data);
        Grid.Calls.Clear();

        var info = await Grid.IngestOk($"batching-{strategy}", path, strategy);

        var calls = Grid.Calls.Snapshot().Where(c => c.Method == nameof(IFingerprintIndexGrain.Claim) && c.Source is { } s && s.Type.ToString().Contains("segment")).ToArray();
        var batchesPerSegment = Enumerable.Range(0, info.Segments)
            .Select(i => (int)((Math.Min(Grid.SegmentSize, Size - (long)i * Grid.SegmentSize) + Grid.BatchSize - 1) / Grid.BatchSize)).ToArray();
        var batches = batchesPerSegment.Sum();
        var chunks = info.Stats.DuplicateChunks + info.Stats.NewChunks;

        output.WriteLine($"{strategy}: {calls.Length} Claim calls carrying {calls.Sum(c => c.Fingerprints)} fingerprints for {batches} batches, {chunks} chunks");
        Assert.True(calls.Length >= batches, $"{calls.Length} Claim calls for {batches} batches: the filter saw too few");
        Assert.True(calls.Length <= batches * Grid.ShardCount * roundsPerBatch,
            $"{calls.Length} Claim calls for {batches} batches of {Grid.ShardCount} shards");
        // a batch of 256 KiB holds 64 blocks or about 32 Rabin chunks, spread over 8 shards: a call carries several on average
        var fingerprints = calls.Sum(c => c.Fingerprints);
        Assert.True(calls.Length * fingerprintsPerCall < fingerprints, $"{calls.Length} Claim calls carried {fingerprints} fingerprints");
        if (strategy != ChunkingStrategy.Adaptive)
            Assert.True(calls.Length * fingerprintsPerCall < chunks, $"{calls.Length} Claim calls for {chunks} chunks");
        Assert.InRange(calls.Select(c => c.Source).Distinct().Count(), info.Segments - 1, info.Segments);
        // one segment calls one shard at most once per batch (per round)
        foreach (var group in calls.GroupBy(c => (c.Source, c.Shard)))
        {
            var segment = int.Parse(group.Key.Source!.Value.Key.ToString()!.Split('/')[1]);
            Assert.True(group.Count() <= batchesPerSegment[segment] * roundsPerBatch,
                $"segment {segment} called shard {group.Key.Shard} {group.Count()} times in {batchesPerSegment[segment]} batches");
        }

        if (strategy == ChunkingStrategy.Fixed)
        {
            // each batch sends each distinct non-zero block once: the fingerprints the calls carried add up exactly
            var expected = 0;
            for (long offset = 0; offset < Size; offset += Grid.BatchSize)
            {
                var batch = data.AsSpan((int)offset, (int)Math.Min(Grid.BatchSize, Size - offset));
                var distinct = new HashSet<string>();
                for (var at = 0; at < batch.Length; at += 4096)
                {
                    var block = batch.Slice(at, Math.Min(4096, batch.Length - at));
                    if (block.ContainsAnyExcept((byte)0)) distinct.Add(Convert.ToHexString(SHA256.HashData(block)));
                }
                expected += distinct.Count;
            }
            Assert.Equal(expected, fingerprints);
        }
    }
}
