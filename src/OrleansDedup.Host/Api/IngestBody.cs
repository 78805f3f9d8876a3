namespace OrleansDedup.Host.Api;

/// <summary>Body of POST /api/images/{name}/ingest.</summary>
/// <param name="Opaque">Cut the file as plain bytes without reading its container tables.</param>
public sealed record IngestBody(string? Path, string? Strategy, bool Opaque = false);
