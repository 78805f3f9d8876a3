using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Operations;

namespace OrleansDedup.Host.Api;

/// <summary>The API's JSON shapes (camelCase on the wire), kept apart from the grains' messages so that either can change.</summary>
public sealed record ImageResponse(
    string Name, string SourcePath, long Size, string Strategy, string Digest, DateTimeOffset IngestedAt, int Segments,
    long ZeroChunks, long DuplicateChunks, long NewChunks, long ZeroBytes, long DuplicateBytes, long NewBytes,
    long StoredChunkBytes, long MetadataBytes, long StoredBytes, double DedupRate, double Seconds, ContainerResponse? Container)
{
    public static ImageResponse From(ImageInfo i) => new(
        i.Name, i.SourcePath, i.Size, Strategies.Name(i.Strategy), i.Digest, i.IngestedAt, i.Segments,
        i.Stats.ZeroChunks, i.Stats.DuplicateChunks, i.Stats.NewChunks, i.Stats.ZeroBytes, i.Stats.DuplicateBytes, i.Stats.NewBytes,
        i.Stats.StoredChunkBytes, i.Stats.MetadataBytes, i.Stats.StoredBytes, Math.Round(i.DedupRate, 4), i.Seconds,
        i.Container is { } c ? new ContainerResponse(c.Format, c.Variant, c.VirtualSize, c.GuestDataBytes, c.CompressedGuestBytes, c.MetadataBytes, c.FormatAware) : null);
}

/// <summary>The detected container format and how the file splits between guest data and container metadata.</summary>
public sealed record ContainerResponse(
    string Format, string Variant, long VirtualSize, long GuestDataBytes, long CompressedGuestBytes, long MetadataBytes, bool FormatAware);

/// <param name="Silo">The silo running the ingest (name and address), while it runs.</param>
public sealed record IngestStatusResponse(string Image, string State, long BytesDone, long BytesTotal, string? Error, string? ErrorKind, ImageResponse? Result,
    string? Silo)
{
    public static IngestStatusResponse From(string image, IngestStatus s) => new(
        image, s.State.ToString().ToLowerInvariant(), s.BytesDone, s.BytesTotal, s.Error,
        s.ErrorKind == IngestErrorKind.None ? null : s.ErrorKind.ToString().ToLowerInvariant(),
        s.Image is null ? null : ImageResponse.From(s.Image), s.Silo);
}

/// <summary>Body of POST /api/images/{name}/ingest.</summary>
/// <param name="Opaque">Cut the file as plain bytes without reading its container tables.</param>
public sealed record IngestBody(string? Path, string? Strategy, bool Opaque = false);

public sealed record ShardResponse(int Shard, string Silo, long Chunks, long Aliases, long ChunkBytes, long MetadataBytes);

public sealed record SiloShardsResponse(string Silo, int Shards, long Chunks, long Aliases, long ChunkBytes);

public sealed record OverallResponse(
    int ImageCount, long OriginalBytes, long PackBytes, long LiveChunkBytes, long IndexBytes, long RecipeBytes, long StoredBytes,
    double DedupRate, long ZeroChunks, long DuplicateChunks, long NewChunks);

public sealed record StatsResponse(ImageResponse[] Images, OverallResponse Overall, int ShardCount, SiloShardsResponse[] Silos, ShardResponse[] Shards)
{
    public static StatsResponse From(StoreReport r) => new(
        r.Images.Select(ImageResponse.From).ToArray(),
        new OverallResponse(r.Images.Length, r.OriginalBytes, r.PackBytes, r.LiveChunkBytes, r.IndexBytes, r.RecipeBytes, r.StoredBytes,
            Math.Round(r.DedupRate, 4), r.Images.Sum(i => i.Stats.ZeroChunks), r.Images.Sum(i => i.Stats.DuplicateChunks),
            r.Images.Sum(i => i.Stats.NewChunks)),
        r.Shards.Length,
        SiloShards.Of(r.Shards).Select(s => new SiloShardsResponse(s.Silo, s.Shards, s.Chunks, s.Aliases, s.ChunkBytes)).ToArray(),
        r.Shards.OrderBy(s => s.Shard).Select(s => new ShardResponse(s.Shard, s.Silo, s.Chunks, s.Aliases, s.ChunkBytes, s.MetadataBytes)).ToArray());
}

public sealed record GcResponse(
    int PacksDeleted, int PacksCompacted, long BytesBefore, long BytesAfter, long BytesReclaimed, long EntriesSwept, int AbandonedIngests,
    bool SweepSkipped)
{
    public static GcResponse From(GcResult r) =>
        new(r.PacksDeleted, r.PacksCompacted, r.BytesBefore, r.BytesAfter, r.BytesReclaimed, r.EntriesSwept, r.AbandonedIngests, r.SweepSkipped);
}

public static class Strategies
{
    public static string Name(ChunkingStrategy s) => s.ToString().ToLowerInvariant();

    /// <summary>adaptive (default when absent), guest, fixed or rabin; numbers are refused.</summary>
    public static bool TryParse(string? text, out ChunkingStrategy strategy)
    {
        strategy = ChunkingStrategy.Adaptive;
        if (string.IsNullOrWhiteSpace(text)) return true;
        return !int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out strategy) && Enum.IsDefined(strategy);
    }

    public const string Unknown = "unknown strategy '{0}'; use adaptive, guest, fixed or rabin";
}

/// <summary>Image names are grain keys and appear in logs and file names for downloads: printable, at most 200 characters.</summary>
public static class ImageNames
{
    public const int MaxLength = 200;

    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the image name is empty";
        if (name.Length > MaxLength) return $"the image name is longer than {MaxLength} characters";
        if (name.Any(char.IsControl)) return "the image name contains control characters";
        if (name.Contains('/') || name.Contains('\\')) return "the image name contains a path separator";
        return null;
    }
}
