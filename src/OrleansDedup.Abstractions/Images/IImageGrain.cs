using OrleansDedup.Abstractions.Calls;

namespace OrleansDedup.Abstractions.Images;

/// <summary>One image of the catalog, keyed by its name. It plans an ingest, fans the segments out, and
/// commits the recipe only when every segment succeeded.</summary>
public interface IImageGrain : IGrainWithStringKey
{
    /// <summary>Starts an ingest and returns at once; poll <see cref="GetIngestStatus"/> for progress and outcome.</summary>
    Task<IngestStatus> StartIngest(IngestRequest request);

    [AlwaysInterleave, Idempotent]
    Task<IngestStatus> GetIngestStatus();

    [AlwaysInterleave, Idempotent]
    Task CancelIngest();

    /// <summary>Segments report progress while the image grain awaits them.</summary>
    [AlwaysInterleave, OneWay]
    Task ReportProgress(long bytes);

    [ReadOnly, Idempotent]
    Task<ImageInfo?> GetInfo();

    [ReadOnly, Idempotent]
    Task<ImageManifest?> GetManifest();

    /// <summary>Releases the image's references and removes it; false if there was no such image.</summary>
    Task<bool> Delete();
}
