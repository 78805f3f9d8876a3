using System.Security.Cryptography;

namespace OrleansDedup.Chunking.Tests;

public class FingerprintTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void ComputeIsSha256(int length)
    {
        byte[] data = TestData.Random(length, seed: length);
        byte[] written = new byte[Fingerprint.Size];

        Fingerprint.Compute(data).WriteTo(written);

        Assert.Equal(SHA256.HashData(data), written);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), Fingerprint.Compute(data).ToString());
    }

    [Fact]
    public void ParseRoundTripsToString()
    {
        var fingerprint = Fingerprint.Compute("chunk"u8);

        Assert.Equal(fingerprint, Fingerprint.Parse(fingerprint.ToString()));
        Assert.NotEqual(fingerprint, Fingerprint.Compute("chunk!"u8));
    }

    [Fact]
    public void ShardsAreInRangeAndEven()
    {
        const int shards = 16, samples = 10_000;
        var counts = new int[shards];
        var random = new Random(3);
        byte[] bytes = new byte[Fingerprint.Size];
        for (int i = 0; i < samples; i++)
        {
            random.NextBytes(bytes);
            int shard = Fingerprint.Read(bytes).Shard(shards);
            Assert.InRange(shard, 0, shards - 1);
            counts[shard]++;
        }

        const double mean = (double)samples / shards;
        Assert.All(counts, count => Assert.InRange(count, 0.7 * mean, 1.3 * mean));
    }

    [Fact]
    public void ShardDependsOnTheLeadingBytes()
    {
        byte[] bytes = new byte[Fingerprint.Size];
        bytes[7] = 5;
        Assert.Equal(5, Fingerprint.Read(bytes).Shard(16));
    }
}
