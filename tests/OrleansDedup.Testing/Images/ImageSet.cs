using System.Buffers.Binary;
using System.Diagnostics;
using OrleansDedup.ImageFormats;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Testing.Images;

/// <summary>
/// One guest disk in every container layout: an ext4 file system that mke2fs -d fills with real files from the
/// machine (documentation and shared libraries), converted by qemu-img. Deleted with its temp directory.
/// </summary>
public sealed class ImageSet : IDisposable
{
    /// <summary>Every converted layout: name, qemu-img arguments, the format and variant the reader must report.</summary>
    public static readonly IReadOnlyList<(string Name, string Convert, ImageFormat Format, string Variant)> Layouts =
    [
        ("raw", "-O raw", ImageFormat.Raw, "raw"),
        ("qcow2-v2", "-O qcow2 -o compat=0.10", ImageFormat.Qcow2, "qcow2 v2"),
        ("qcow2-v3", "-O qcow2 -o compat=1.1", ImageFormat.Qcow2, "qcow2 v3"),
        ("qcow2-compressed", "-c -O qcow2 -o compat=1.1,cluster_size=4096", ImageFormat.Qcow2, "qcow2 v3"),
        ("vmdk-monolithicSparse", "-O vmdk -o subformat=monolithicSparse", ImageFormat.Vmdk, "monolithicSparse"),
        ("vmdk-streamOptimized", "-O vmdk -o subformat=streamOptimized", ImageFormat.Vmdk, "streamOptimized"),
        ("vhd-dynamic", "-O vpc -o subformat=dynamic,force_size=on", ImageFormat.Vhd, "dynamic"),
        ("vhd-fixed", "-O vpc -o subformat=fixed,force_size=on", ImageFormat.Vhd, "fixed"),
        ("vdi-dynamic", "-O vdi -o static=off", ImageFormat.Vdi, "dynamic"),
        ("vdi-fixed", "-O vdi -o static=on", ImageFormat.Vdi, "fixed"),
    ];

    public ImageSet(long guestSize, long contentBytes)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("image-formats-").FullName;
        string content = Path.Combine(Directory, "content");
        CopyRealFiles("/usr/share/doc", Path.Combine(content, "doc"), contentBytes / 2);
        CopyRealFiles("/usr/lib/x86_64-linux-gnu", Path.Combine(content, "lib"), contentBytes / 2);
        Raw = Path.Combine(Directory, "guest.raw");
        using (var file = File.Create(Raw))
        {
            file.SetLength(guestSize);
        }

        Run("mke2fs", $"-q -F -t ext4 -b 4096 -d {content} {Raw}");
        System.IO.Directory.Delete(content, recursive: true);
        foreach (var layout in Layouts)
        {
            Run("qemu-img", $"convert -f raw {layout.Convert} {Raw} {PathOf(layout.Name)}");
        }
    }

    public string Directory { get; }

    public string Raw { get; }

    public string PathOf(string layout) => Path.Combine(Directory, layout + ".img");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    public static string Run(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments);
        info.Environment["E2FSPROGS_FAKE_TIME"] = "1700000000";
        var result = ProcessRun.RunAsync(info, TimeSpan.FromMinutes(10)).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} failed: {result.Error}");
        }

        return result.Out;
    }

    /// <summary>
    /// Copies a qcow2 image to <paramref name="path"/> with entry <paramref name="entry"/> of its first L2 table pointing
    /// past the end of the file: a header that claims qcow2 with a table the reader must refuse. Returns that offset.
    /// </summary>
    public static long BreakQcow2L2Entry(string source, string path, int entry)
    {
        byte[] image = File.ReadAllBytes(source);
        int l1 = (int)BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(40));
        int l2 = (int)(BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan(l1)) & 0x00FFFFFFFFFFFE00);
        long beyond = (image.Length / 65536 + 16) * 65536L;
        BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan(l2 + entry * 8), (1UL << 63) | (ulong)beyond);
        File.WriteAllBytes(path, image);
        return beyond;
    }

    /// <summary>Regular files in name order until the budget is spent, so the guest holds real, varied data.</summary>
    private static void CopyRealFiles(string from, string to, long budget)
    {
        System.IO.Directory.CreateDirectory(to);
        if (!System.IO.Directory.Exists(from))
        {
            return;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        int n = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(from, "*", options).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (info.Length == 0 || info.Length > budget)
            {
                continue;
            }

            info.CopyTo(Path.Combine(to, $"{n++:D5}-{info.Name}"));
            budget -= info.Length;
        }
    }
}
