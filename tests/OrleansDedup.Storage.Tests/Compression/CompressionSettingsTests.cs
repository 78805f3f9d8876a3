using OrleansDedup.Storage.Compression;

namespace OrleansDedup.Storage.Tests.Compression;

public sealed class CompressionSettingsTests
{
    [Theory]
    [InlineData("none", CompressionMode.None, 0, "none")]
    [InlineData("zstd", CompressionMode.Zstd, 3, "zstd:3")]
    [InlineData("ZSTD:9", CompressionMode.Zstd, 9, "zstd:9")]
    [InlineData("auto", CompressionMode.Auto, 3, "auto:3")]
    [InlineData(" auto:1 ", CompressionMode.Auto, 1, "auto:1")]
    public void Parses_and_prints_every_mode(string text, CompressionMode mode, int level, string printed)
    {
        var settings = CompressionSettings.Parse(text);
        Assert.Equal(new CompressionSettings(mode, level), settings);
        Assert.Equal(printed, settings.ToString());
        Assert.Equal(settings, CompressionSettings.Parse(printed));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd:0")]
    [InlineData("zstd:20")]
    [InlineData("zstd:fast")]
    [InlineData("none:3")]
    [InlineData("")]
    public void Refuses_what_it_cannot_honour(string text) =>
        Assert.Throws<FormatException>(() => CompressionSettings.Parse(text));

    [Fact]
    public void The_default_is_auto_at_level_3() => Assert.Equal("auto:3", CompressionSettings.Default.ToString());
}
