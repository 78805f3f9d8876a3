namespace OrleansDedup.Chunking.Tests;

public class RabinOptionsTests
{
    public static TheoryData<RabinOptions, string> Invalid => new()
    {
        { new RabinOptions { WindowSize = 15 }, "WindowSize" },
        { new RabinOptions { WindowSize = 4097, MinSize = 8192 }, "WindowSize" },
        { new RabinOptions { WindowSize = 1024, MinSize = 1000 }, "MinSize" },
        { new RabinOptions { AverageSize = 6000 }, "power of two" },
        { new RabinOptions { AverageSize = 0 }, "power of two" },
        { new RabinOptions { MinSize = 16384 }, "MinSize" },
        { new RabinOptions { MaxSize = 4096 }, "MaxSize" },
        { new RabinOptions { Polynomial = RabinOptions.DefaultPolynomial & ~1UL }, "irreducible" },
        { new RabinOptions { Polynomial = 0x11B }, "degree 53" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InconsistentOptionsAreRejectedWithAClearMessage(RabinOptions options, string mentioned)
    {
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(mentioned, error.Message);
        Assert.Throws<ArgumentException>(() => new RabinChunker(options));
    }

    [Theory]
    [InlineData(16, 2048)]
    [InlineData(48, 2048)]
    [InlineData(1024, 2048)]
    [InlineData(4096, 4096)]
    public void SupportedWindowsAreAccepted(int window, int min)
    {
        new RabinOptions { WindowSize = window, MinSize = min }.Validate();
    }

    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var options = new RabinOptions();
        options.Validate();
        Assert.Equal((2048, 8192, 65536, 48, 0x3DA3358B4DC173UL),
            (options.MinSize, options.AverageSize, options.MaxSize, options.WindowSize, options.Polynomial));
    }

    [Theory]
    [InlineData(0b111UL, true)]
    [InlineData(0b1011UL, true)]
    [InlineData(0x11BUL, true)]
    [InlineData(RabinOptions.DefaultPolynomial, true)]
    [InlineData(0b101UL, false)]
    [InlineData(0b1111UL, false)]
    [InlineData(0x11AUL, false)]
    public void IrreducibilityTestKnowsSmallCases(ulong polynomial, bool irreducible)
    {
        Assert.Equal(irreducible, Gf2Polynomial.IsIrreducible(polynomial));
    }

    [Fact]
    public void DegreeFiftyThreeMultipleOfASmallFactorIsReducible()
    {
        ulong product = 0;
        ulong other = (1UL << 50) | 0b1001;
        for (int bit = 0; bit < 4; bit++)
        {
            if ((0b1011 >> bit & 1) != 0)
            {
                product ^= other << bit;
            }
        }

        Assert.Equal(53, Gf2Polynomial.Degree(product));
        Assert.False(Gf2Polynomial.IsIrreducible(product));
    }
}
