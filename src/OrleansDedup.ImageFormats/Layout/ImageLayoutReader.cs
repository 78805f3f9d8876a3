using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.Qcow2;
using OrleansDedup.ImageFormats.Vdi;
using OrleansDedup.ImageFormats.Vhd;
using OrleansDedup.ImageFormats.Vmdk;

namespace OrleansDedup.ImageFormats.Layout;

/// <summary>Detects a container format by its magic bytes and maps the file onto its guest disk.</summary>
public static class ImageLayoutReader
{
    private const int Probe = 512;

    /// <param name="budget">What reading the tables may cost; <see cref="LayoutBudget.Default"/> when null.</param>
    public static ImageLayout Read(SafeFileHandle file, long length, LayoutBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        budget ??= LayoutBudget.Default;
        var format = Detect(file, length);
        return format switch
        {
            ImageFormat.Qcow2 => Qcow2Reader.Read(new ImageFile(file, length, "qcow2", budget)),
            ImageFormat.Vmdk => VmdkReader.Read(new ImageFile(file, length, "VMDK", budget)),
            ImageFormat.Vhd => VhdReader.Read(new ImageFile(file, length, "VHD", budget)),
            ImageFormat.Vdi => VdiReader.Read(new ImageFile(file, length, "VDI", budget)),
            _ => Raw(length),
        };
    }

    public static ImageFormat Detect(SafeFileHandle file, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        Span<byte> head = stackalloc byte[Probe];
        head = head[..ImageFile.ReadUpTo(file, head[..(int)Math.Min(Probe, length)], 0)];
        if (head.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(head) == Qcow2Reader.Magic)
        {
            return ImageFormat.Qcow2;
        }

        if ((head.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(head) == VmdkReader.Magic)
            || head.StartsWith("# Disk DescriptorFile"u8))
        {
            return ImageFormat.Vmdk;
        }

        if (head.Length >= VdiReader.SignatureOffset + 4
            && BinaryPrimitives.ReadUInt32LittleEndian(head[VdiReader.SignatureOffset..]) == VdiReader.Signature)
        {
            return ImageFormat.Vdi;
        }

        if (head.StartsWith(VhdReader.FooterCookie))
        {
            return ImageFormat.Vhd;
        }

        if (length >= Probe)
        {
            Span<byte> cookie = stackalloc byte[VhdReader.FooterCookie.Length];
            if (ImageFile.ReadUpTo(file, cookie, length - Probe) == cookie.Length && cookie.SequenceEqual(VhdReader.FooterCookie))
            {
                return ImageFormat.Vhd;
            }
        }

        return ImageFormat.Raw;
    }

    private static ImageLayout Raw(long length)
    {
        ImageRegion[] regions = length == 0 ? [] : [new ImageRegion(0, length, RegionKind.GuestData, 0)];
        return new ImageLayout(ImageFormat.Raw, "raw", length, length, regions);
    }
}
