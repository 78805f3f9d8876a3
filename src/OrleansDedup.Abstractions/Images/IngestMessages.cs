using OrleansDedup.Chunking;

namespace OrleansDedup.Abstractions.Images;

/// <param name="Opaque">Cut the file as plain bytes without reading its container tables: the way to store a file
/// whose header claims a format its tables then break.</param>
/// <param name="Root">The image root <paramref name="Path"/> lies in (an ingest by path over HTTP): every open of the file
/// resolves it beneath this directory without following a symbolic link, so that no swapped-in link leads out.</param>
/// <param name="Identity">The file that was checked; every later open refuses a file of another identity. The image
/// grain sets it at its first open when the client did not.</param>
[GenerateSerializer, Immutable]
public sealed record IngestRequest(
    [property: Id(0)] string Path,
    [property: Id(1)] ChunkingStrategy Strategy,
    [property: Id(2)] bool Opaque = false,
    [property: Id(3)] string? Root = null,
    [property: Id(4)] FileIdentity? Identity = null);

public enum IngestState { Idle, Running, Succeeded, Failed, Cancelled }

/// <summary>Why an ingest failed, so that a client can map it to an exit code without parsing text. Interrupted: the
/// catalog database or the whole grid was out of reach; nothing was kept. SiloLost: a silo the ingest depended on left
/// the cluster (stopped or died) while the rest of the grid answers, so a client may start the same ingest again at once.</summary>
public enum IngestErrorKind { None, BadInput, Conflict, Internal, Interrupted, SiloLost }

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

/// <summary>Where an image's recipe lives: one recipe file per segment, relative to the data directory.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageManifest([property: Id(0)] ImageInfo Image, [property: Id(1)] string[] SegmentRecipes);
