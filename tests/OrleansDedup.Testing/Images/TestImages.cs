using System.Diagnostics;
using Xunit;

namespace OrleansDedup.Testing.Images;

/// <summary>Deterministic test images. A "disk" is a sequence of files, each a run of whole 4 KiB blocks: fresh random
/// files, files drawn from a library that several images may share, files repeated within the image, and zero regions.</summary>
public static class TestImages
{
    public const int Block = 4096;

    /// <summary>A library of files (1-16 blocks each) that images built with the same seed draw from.</summary>
    public static byte[][] Library(int seed, int files = 48)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, files).Select(_ =>
        {
            var file = new byte[rng.Next(1, 17) * Block];
            rng.NextBytes(file);
            return file;
        }).ToArray();
    }

    /// <summary>A disk-like image of <paramref name="size"/> bytes (not necessarily a multiple of 4 KiB).</summary>
    public static byte[] Disk(int seed, int size, double zeroShare = 0.2, double repeatShare = 0.1,
        byte[][]? library = null, double libraryShare = 0, int minFileBlocks = 1, int maxFileBlocks = 24)
    {
        var rng = new Random(seed);
        var image = new byte[size];
        var files = new List<(int Offset, int Length)>();
        var at = 0;
        while (at < size)
        {
            var length = Math.Min(rng.Next(minFileBlocks, maxFileBlocks + 1) * Block, size - at);
            var roll = rng.NextDouble();
            var target = image.AsSpan(at, length);
            if (roll < zeroShare)
            {
                // a zero region: the array is zeroed already
            }
            else if (roll < zeroShare + libraryShare && library is not null)
            {
                var file = library[rng.Next(library.Length)];
                length = Math.Min(file.Length, length);
                file.AsSpan(0, length).CopyTo(image.AsSpan(at));
            }
            else if (roll < zeroShare + libraryShare + repeatShare && files.Count > 0)
            {
                var (offset, fileLength) = files[rng.Next(files.Count)];
                length = Math.Min(fileLength, length);
                image.AsSpan(offset, length).CopyTo(image.AsSpan(at));
            }
            else
            {
                rng.NextBytes(target);
                files.Add((at, length));
            }
            at += length;
        }
        return image;
    }

    /// <summary>Random bytes, no zeros and no repeats: nothing to deduplicate inside.</summary>
    public static byte[] Random(int seed, int size)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A copy of <paramref name="original"/> with <paramref name="changes"/> ranges of 1 KiB overwritten (spread
    /// over the image) and, if <paramref name="insertLength"/> &gt; 0, that many random bytes inserted at <paramref name="insertAt"/>.</summary>
    public static byte[] Variant(byte[] original, int seed, int changes = 4, int insertAt = 0, int insertLength = 0)
    {
        var rng = new Random(seed);
        var copy = (byte[])original.Clone();
        for (var i = 0; i < changes; i++)
        {
            var at = (int)((long)(i + 1) * original.Length / (changes + 1)) - 512;
            rng.NextBytes(copy.AsSpan(at, 1024));
        }
        if (insertLength == 0) return copy;
        var inserted = new byte[insertLength];
        rng.NextBytes(inserted);
        return [.. copy.AsSpan(0, insertAt), .. inserted, .. copy.AsSpan(insertAt)];
    }

    public static string Write(string path, byte[] data)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>A sparse file of <paramref name="length"/> bytes: holes everywhere but the given random regions.</summary>
    public static string WriteSparse(string path, long length, IEnumerable<(long Offset, int Length)> regions, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rng = new Random(seed);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.SetLength(length);
        foreach (var (offset, regionLength) in regions)
        {
            var data = new byte[regionLength];
            rng.NextBytes(data);
            file.Position = offset;
            file.Write(data);
        }
        return path;
    }

    /// <summary>Bytes the file system has allocated to a file (<c>stat -c '%b %B'</c>).</summary>
    public static long AllocatedBytes(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        var parts = output.Split(' ');
        return long.Parse(parts[0]) * long.Parse(parts[1]);
    }

    /// <summary>Reads a file that another component holds locked (the index journals lock their logs against other openers):
    /// .NET honours those advisory locks, <c>cat</c> does not.</summary>
    public static byte[] ReadLocked(string path)
    {
        using var cat = Process.Start(new ProcessStartInfo("cat", [path]) { RedirectStandardOutput = true })!;
        using var content = new MemoryStream();
        cat.StandardOutput.BaseStream.CopyTo(content);
        cat.WaitForExit();
        Assert.Equal(0, cat.ExitCode);
        return content.ToArray();
    }

    public static void AssertSameBytes(byte[] expected, string path)
    {
        var actual = File.ReadAllBytes(path);
        Assert.Equal(expected.Length, actual.Length);
        var mismatch = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(mismatch == expected.Length, $"{path} differs from the original at byte {mismatch}");
    }

    public static void AssertSameFile(string expectedPath, string path) => AssertSameBytes(File.ReadAllBytes(expectedPath), path);
}
