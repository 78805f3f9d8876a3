namespace OrleansDedup.ImageFormats;

/// <summary>A disk image container format, told apart by its magic bytes; anything unrecognised is raw.</summary>
public enum ImageFormat
{
    Raw,
    Qcow2,
    Vmdk,
    Vhd,
    Vdi,
}
