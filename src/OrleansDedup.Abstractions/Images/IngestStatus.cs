namespace OrleansDedup.Abstractions.Images;

[GenerateSerializer, Immutable]
public sealed record IngestStatus(
    [property: Id(0)] IngestState State,
    [property: Id(1)] long BytesDone,
    [property: Id(2)] long BytesTotal,
    [property: Id(3)] string? Error,
    [property: Id(4)] IngestErrorKind ErrorKind,
    [property: Id(5)] ImageInfo? Image,
    [property: Id(6)] bool AlreadyStored = false,
    [property: Id(7)] string? Silo = null);
