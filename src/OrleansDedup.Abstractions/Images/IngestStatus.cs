namespace OrleansDedup.Abstractions.Images;

/// <summary>Where an ingest stands. Built through the named factories below, one per state, so that no call site
/// spells out eight positional fields.</summary>
[GenerateSerializer, Immutable]
public sealed record IngestStatus(
    [property: Id(0)] IngestState State,
    [property: Id(1)] long BytesDone,
    [property: Id(2)] long BytesTotal,
    [property: Id(3)] string? Error,
    [property: Id(4)] IngestErrorKind ErrorKind,
    [property: Id(5)] ImageInfo? Image,
    [property: Id(6)] bool AlreadyStored = false,
    [property: Id(7)] string? Silo = null)
{
    public static IngestStatus Idle { get; } = new(IngestState.Idle, 0, 0, null, IngestErrorKind.None, null);

    public static IngestStatus Running(long bytesDone, long bytesTotal, string? silo) =>
        new(IngestState.Running, bytesDone, bytesTotal, null, IngestErrorKind.None, null, Silo: silo);

    public static IngestStatus Succeeded(ImageInfo image, bool alreadyStored = false) =>
        new(IngestState.Succeeded, image.Size, image.Size, null, IngestErrorKind.None, image, alreadyStored);

    public static IngestStatus Cancelled(string message, long bytesDone = 0, long bytesTotal = 0) =>
        new(IngestState.Cancelled, bytesDone, bytesTotal, message, IngestErrorKind.None, null);

    public static IngestStatus Failed(IngestErrorKind kind, string message, long bytesDone = 0, long bytesTotal = 0, string? silo = null) =>
        new(IngestState.Failed, bytesDone, bytesTotal, message, kind, null, Silo: silo);
}
