using Microsoft.Extensions.Options;

namespace OrleansDedup.Grains.Hosting;

/// <summary>The rules a <see cref="DedupOptions"/> must meet, for the options pipeline and for a host or CLI that checks
/// its settings before it starts anything.</summary>
public sealed class DedupOptionsValidator : IValidateOptions<DedupOptions>
{
    public ValidateOptionsResult Validate(string? name, DedupOptions options) =>
        Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    /// <summary>The first rule the options break, as one sentence; null when they are sound.</summary>
    public static string? Problem(DedupOptions o)
    {
        const int block = DedupOptions.BlockSize;
        if (string.IsNullOrWhiteSpace(o.DataDirectory)) return "The data directory is not set.";
        if (o.ShardCount is < 1 or > 4096) return "The shard count must be between 1 and 4096.";
        if (o.SegmentSize < block || o.SegmentSize % block != 0) return $"The segment size must be a positive multiple of {block} bytes.";
        if (o.BatchSize < block || o.BatchSize % block != 0 || o.BatchSize > 64 << 20)
            return $"The batch size must be a multiple of {block} bytes, at most 64 MiB.";
        if (o.MaxParallelSegments < 1) return "The segments processed at once per image must be at least 1.";
        if (o.MaxSegmentsPerSilo < 1) return "The segments processed at once per silo must be at least 1.";
        if (o.ShardRebalanceInterval <= TimeSpan.Zero) return "The shard rebalance interval must be positive.";
        if (o.ClaimTimeout <= TimeSpan.Zero) return "The claim timeout must be positive.";
        if (o.RabinMaxSize > o.BatchSize) return "The Rabin maximum chunk size must not exceed the batch size.";
        try
        {
            o.Rabin.Validate();
            o.Packs.Validate();
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        return null;
    }
}
