using OrleansDedup.Storage.Recipes;

namespace OrleansDedup.Storage.Tests.Recipes;

/// <summary>Recipe headers are LEB128 varints; stored recipes depend on these exact bytes.</summary>
public sealed class VarintTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7F")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "AC02")]
    [InlineData(16_384UL, "808001")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Writes_the_LEB128_bytes_and_reads_them_back(ulong value, string hex)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxBytes];
        var length = Varint.Write(buffer, value);
        Assert.Equal(hex, Convert.ToHexString(buffer[..length]));

        var position = 0;
        Assert.Equal(value, Varint.Read(buffer[..length], ref position));
        Assert.Equal(length, position);
    }

    [Fact]
    public void A_number_cut_short_is_refused()
    {
        var position = 0;
        Assert.Throws<InvalidDataException>(() => Varint.Read(Convert.FromHexString("8080"), ref position));
    }

    [Fact]
    public void A_number_longer_than_ten_bytes_is_refused()
    {
        var position = 0;
        Assert.Throws<InvalidDataException>(() => Varint.Read(Convert.FromHexString("8080808080808080808080"), ref position));
    }
}
