namespace OrleansDedup.Host.Api;

/// <summary>The detected container format and how the file splits between guest data and container metadata.</summary>
public sealed record ContainerResponse(
    string Format, string Variant, long VirtualSize, long GuestDataBytes, long CompressedGuestBytes, long MetadataBytes, bool FormatAware);
