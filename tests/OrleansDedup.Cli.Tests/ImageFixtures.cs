using System.Text;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.Cli.Tests;

/// <summary>
/// Real disk images for the tests: an ext4 file system filled with files (text, binary, and real files from the
/// machine's license directory) by mke2fs -d, converted by qemu-img into qcow2, VMDK, VHD and VDI. A second
/// file system holds mostly the same files with some changed and added, like the next release of a VM image.
/// Built once per test run.
/// </summary>
public sealed class ImageFixtures : IDisposable
{
    public const long RawSize = 24 << 20;

    public ImageFixtures()
    {
        Directory = Path.Combine(Path.GetTempPath(), "orleans-dedup-fixtures-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var content = Path.Combine(Directory, "content");
        WriteContent(content, seed: 1, variant: false);
        Raw = MakeFileSystem(content, "base.raw");
        WriteContent(content, seed: 1, variant: true);
        SimilarRaw = MakeFileSystem(content, "similar.raw");
        Formats = new Dictionary<string, string> { ["raw"] = Raw };
        foreach (var (format, extension) in new[] { ("qcow2", "qcow2"), ("vmdk", "vmdk"), ("vpc", "vhd"), ("vdi", "vdi") })
        {
            var path = Path.Combine(Directory, $"base.{extension}");
            ImageSet.Run("qemu-img", $"convert -f raw -O {format} {Raw} {path}");
            Formats[extension] = path;
        }
    }

    public string Directory { get; }

    public string Raw { get; }

    public string SimilarRaw { get; }

    /// <summary>The same guest disk in every format, by file extension.</summary>
    public Dictionary<string, string> Formats { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string MakeFileSystem(string content, string name)
    {
        var path = Path.Combine(Directory, name);
        using (var f = File.Create(path)) f.SetLength(RawSize);
        ImageSet.Run("mke2fs", $"-q -F -t ext4 -b 4096 -d {content} {path}");
        return path;
    }

    /// <summary>Text and binary files from a seed; the variant edits some files, drops one and adds new ones.</summary>
    private static void WriteContent(string root, int seed, bool variant)
    {
        if (System.IO.Directory.Exists(root)) System.IO.Directory.Delete(root, recursive: true);
        var random = new Random(seed);
        var words = Enumerable.Range(0, 2000).Select(_ => new string(Enumerable.Range(0, random.Next(2, 10)).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        for (var d = 0; d < 6; d++)
        {
            var dir = Path.Combine(root, $"usr/share/pkg{d}");
            System.IO.Directory.CreateDirectory(dir);
            for (var f = 0; f < 12; f++)
            {
                var text = new StringBuilder();
                var lines = random.Next(200, 1500);
                for (var l = 0; l < lines; l++) text.AppendLine(string.Join(' ', Enumerable.Range(0, random.Next(3, 14)).Select(_ => words[random.Next(words.Length)])));
                if (variant && f % 5 == 0) text.Insert(text.Length / 2, "patched in the next release\n");
                if (!(variant && d == 2 && f == 3)) File.WriteAllText(Path.Combine(dir, $"doc{f}.txt"), text.ToString());
            }
            var blob = new byte[random.Next(64, 400) << 10];
            random.NextBytes(blob);
            File.WriteAllBytes(Path.Combine(dir, "lib.so"), blob);
        }
        if (variant)
        {
            var extra = new byte[300 << 10];
            new Random(99).NextBytes(extra);
            File.WriteAllBytes(Path.Combine(root, "usr/share/pkg0/new-tool"), extra);
        }
        var licenses = Path.Combine(root, "usr/share/common-licenses");
        System.IO.Directory.CreateDirectory(licenses);
        if (System.IO.Directory.Exists("/usr/share/common-licenses"))
        {
            foreach (var file in System.IO.Directory.GetFiles("/usr/share/common-licenses"))
                File.Copy(file, Path.Combine(licenses, Path.GetFileName(file)), overwrite: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ImageCollection : ICollectionFixture<ImageFixtures>
{
    public const string Name = "images";
}
