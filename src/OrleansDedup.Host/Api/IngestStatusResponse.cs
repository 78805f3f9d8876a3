using OrleansDedup.Abstractions.Images;

namespace OrleansDedup.Host.Api;

/// <param name="Silo">The silo running the ingest (name and address), while it runs.</param>
public sealed record IngestStatusResponse(string Image, string State, long BytesDone, long BytesTotal, string? Error, string? ErrorKind, ImageResponse? Result,
    string? Silo)
{
    public static IngestStatusResponse From(string image, IngestStatus s) => new(
        image, s.State.ToString().ToLowerInvariant(), s.BytesDone, s.BytesTotal, s.Error,
        s.ErrorKind == IngestErrorKind.None ? null : s.ErrorKind.ToString().ToLowerInvariant(),
        s.Image is null ? null : ImageResponse.From(s.Image), s.Silo);
}
