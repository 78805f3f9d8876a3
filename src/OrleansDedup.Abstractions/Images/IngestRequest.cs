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
