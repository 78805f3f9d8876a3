namespace OrleansDedup.Abstractions.Images;

/// <summary>
/// The container format an image file was found in, and how its bytes split between guest data and the container's
/// own metadata (headers, tables, bitmaps, padding). <see cref="FormatAware"/>: the blocks followed the guest's.
/// An image ingested with the opaque flag has its format from the magic bytes only, and no split.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ContainerInfo(
    [property: Id(0)] string Format,
    [property: Id(1)] string Variant,
    [property: Id(2)] long VirtualSize,
    [property: Id(3)] long GuestDataBytes,
    [property: Id(4)] long CompressedGuestBytes,
    [property: Id(5)] long MetadataBytes,
    [property: Id(6)] bool FormatAware);
