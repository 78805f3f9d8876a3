using OrleansDedup.Abstractions.Images;

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
