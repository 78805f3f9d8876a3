namespace OrleansDedup.Chunking.Tests;

public class ZeroBlockTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void ZeroBuffersAreZero(int length)
    {
        Assert.True(ZeroBlock.IsZero(new byte[length]));
    }

    [Fact]
    public void ASingleNonZeroByteAnywhereInABlockIsNoticed()
    {
        byte[] block = new byte[4096];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(1 << (i % 8));
            Assert.False(ZeroBlock.IsZero(block), $"non-zero byte at {i} missed");
            block[i] = 0;
        }

        Assert.True(ZeroBlock.IsZero(block));
    }

    [Fact]
    public void RandomDataIsNotZero()
    {
        Assert.False(ZeroBlock.IsZero(TestData.Random(4096, seed: 1)));
    }
}
