using System.Security.Cryptography;

namespace OrleansDedup.Chunking.Tests;

public class Sha256DigestTests
{
    [Fact]
    public void DigestsGoThroughLibcryptoOnDebian() =>
        // The grid ships on Debian, whose libcrypto.so.3 carries the plain SHA-256 calls: the fast path must be taken.
        Assert.True(Sha256Digest.UsesLibcrypto);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(64)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void BothPathsAgreeWithDotNet(int length)
    {
        var data = TestData.Random(length, seed: length + 1);
        var fast = new byte[32];
        var fallback = new byte[32];

        Sha256Digest.Compute(data, fast);
        Sha256Digest.ComputeManaged(data, fallback);

        Assert.Equal(SHA256.HashData(data), fast);
        Assert.Equal(SHA256.HashData(data), fallback);
    }

    [Fact]
    public void ThreadsDoNotShareAContext()
    {
        var blocks = Enumerable.Range(0, 2_000).Select(i => TestData.Random(4096, seed: i)).ToArray();
        var digests = new byte[blocks.Length][];

        Parallel.For(0, blocks.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            digests[i] = new byte[32];
            Sha256Digest.Compute(blocks[i], digests[i]);
        });

        for (var i = 0; i < blocks.Length; i++) Assert.Equal(SHA256.HashData(blocks[i]), digests[i]);
    }
}
