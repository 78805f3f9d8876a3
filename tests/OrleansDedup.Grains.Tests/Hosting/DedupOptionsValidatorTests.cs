using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Tests.Hosting;

public sealed class DedupOptionsValidatorTests
{
    private static DedupOptions Sound() => new() { DataDirectory = "/var/lib/orleans-dedup" };

    [Fact]
    public void The_defaults_with_a_data_directory_are_sound()
    {
        Assert.True(new DedupOptionsValidator().Validate(null, Sound()).Succeeded);
    }

    [Theory]
    [InlineData(nameof(DedupOptions.DataDirectory), "data directory")]
    [InlineData(nameof(DedupOptions.ShardCount), "shard count")]
    [InlineData(nameof(DedupOptions.SegmentSize), "segment size")]
    [InlineData(nameof(DedupOptions.BatchSize), "batch size")]
    [InlineData(nameof(DedupOptions.MaxParallelSegments), "per image")]
    [InlineData(nameof(DedupOptions.MaxSegmentsPerSilo), "per silo")]
    [InlineData(nameof(DedupOptions.ShardRebalanceSeconds), "rebalance interval")]
    [InlineData(nameof(DedupOptions.ClaimTimeoutSeconds), "claim timeout")]
    [InlineData(nameof(DedupOptions.RabinWindowSize), "WindowSize")]
    [InlineData(nameof(DedupOptions.FrameSize), "frame size")]
    public void Each_rule_names_what_it_refuses(string setting, string named)
    {
        var options = Sound();
        switch (setting)
        {
            case nameof(DedupOptions.DataDirectory): options.DataDirectory = " "; break;
            case nameof(DedupOptions.ShardCount): options.ShardCount = 0; break;
            case nameof(DedupOptions.SegmentSize): options.SegmentSize = 4097; break;
            case nameof(DedupOptions.BatchSize): options.BatchSize = 128 << 20; break;
            case nameof(DedupOptions.MaxParallelSegments): options.MaxParallelSegments = 0; break;
            case nameof(DedupOptions.MaxSegmentsPerSilo): options.MaxSegmentsPerSilo = 0; break;
            case nameof(DedupOptions.ShardRebalanceSeconds): options.ShardRebalanceSeconds = 0; break;
            case nameof(DedupOptions.ClaimTimeoutSeconds): options.ClaimTimeoutSeconds = -1; break;
            case nameof(DedupOptions.RabinWindowSize): options.RabinWindowSize = 8; break;
            default: options.FrameSize = 100; break;
        }

        var result = new DedupOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage);
    }

    [Fact]
    public void Seconds_settings_are_views_of_the_durations()
    {
        var options = Sound();
        options.ClaimTimeoutSeconds = 7;
        options.ShardRebalanceSeconds = 3;
        options.IngestHeartbeatExpirySeconds = 90;

        Assert.Equal(TimeSpan.FromSeconds(7), options.ClaimTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.ShardRebalanceInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), options.IngestHeartbeatExpiry);
    }
}
