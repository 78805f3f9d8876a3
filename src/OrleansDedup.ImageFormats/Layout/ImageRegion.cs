namespace OrleansDedup.ImageFormats.Layout;

/// <summary>
/// A byte range of the container file. <see cref="GuestOffset"/> is where guest data starts on the guest disk,
/// and -1 for metadata.
/// </summary>
public readonly record struct ImageRegion(long FileOffset, long Length, RegionKind Kind, long GuestOffset)
{
    public long FileEnd => FileOffset + Length;
}
