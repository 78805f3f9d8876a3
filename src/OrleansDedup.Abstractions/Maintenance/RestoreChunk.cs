namespace OrleansDedup.Abstractions.Maintenance;

/// <summary>A run of an image's bytes at an offset, at most <see cref="MaxBytes"/>; the gaps between runs are zeros.</summary>
[GenerateSerializer, Immutable]
public sealed record RestoreChunk([property: Id(0)] long Offset, [property: Id(1)] byte[] Data)
{
    public const int MaxBytes = 4 << 20;

    /// <summary>Chunks a reader takes per message (<c>WithBatchSize</c>): Orleans sends up to 100 results at once when
    /// they are ready, and refuses a message over 100 MiB, after which the reader would wait out its timeout.</summary>
    public const int PerMessage = 16;
}
