namespace OrleansDedup.Abstractions.Images;

/// <summary>
/// Which file an ingest reads: its device and inode, taken from an open descriptor (never from a path), and the boot id
/// of the kernel that saw them. Device numbers are the kernel's own (an NFS mount has another on every machine), so
/// two identities from the same kernel must agree on both, and from different kernels on the inode.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FileIdentity([property: Id(0)] ulong Device, [property: Id(1)] ulong Inode, [property: Id(2)] string Kernel)
{
    public bool SameFile(FileIdentity other) => Inode == other.Inode && (Kernel != other.Kernel || Device == other.Device);
}
