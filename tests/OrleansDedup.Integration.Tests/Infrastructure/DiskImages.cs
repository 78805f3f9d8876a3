using System.Security.Cryptography;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>
/// Deterministic disk-like images: extents of 4 KiB blocks that are random, all-zero, copies of earlier blocks
/// (on block boundaries, which the fixed 4 KiB pass finds) or copies shifted off the boundaries (which only the
/// content-defined pass finds). A "similar" image is the same base with a few percent of its blocks rewritten.
/// </summary>
public static class DiskImages
{
    public const int Block = 4096;
    public const int MiB = 1 << 20;

    /// <summary>The bytes of an image: the base of <paramref name="seed"/>, then, if <paramref name="variant"/> is
    /// not 0, about <paramref name="changedFraction"/> of its blocks rewritten by that variant's generator.</summary>
    public static byte[] Generate(long size, int seed, int variant = 0, double changedFraction = 0.03)
    {
        if (size % Block != 0) throw new ArgumentException("whole blocks only", nameof(size));
        var bytes = new byte[size];
        var blocks = (int)(size / Block);
        var random = new Random(seed);
        var at = 0;
        while (at < blocks)
        {
            var length = Math.Min(blocks - at, random.Next(16, 513));
            var span = bytes.AsSpan(at * Block, length * Block);
            var kind = random.NextDouble();
            if (kind < 0.15)
            {
                // a zero region (left as zeros)
            }
            else if (kind < 0.30 && at > length)
            {
                // a repeated extent: an earlier run of blocks, on block boundaries
                var from = random.Next(0, at - length + 1);
                bytes.AsSpan(from * Block, length * Block).CopyTo(span);
            }
            else if (kind < 0.35 && at > length + 1)
            {
                // a repeated extent moved off the 4 KiB grid
                var from = random.Next(0, at - length) * Block + random.Next(1, Block);
                bytes.AsSpan(from, length * Block).CopyTo(span);
            }
            else
            {
                random.NextBytes(span);
            }
            at += length;
        }
        if (variant != 0)
        {
            var changes = new Random(unchecked(seed * 7919 + variant));
            var target = (long)(blocks * changedFraction);
            long changed = 0;
            while (changed < target)
            {
                var run = changes.Next(1, 9);
                var start = changes.Next(0, blocks - run);
                changes.NextBytes(bytes.AsSpan(start * Block, run * Block));
                changed += run;
            }
        }
        return bytes;
    }

    /// <summary>Writes the image to <paramref name="path"/> and returns its SHA-256 (hex).</summary>
    public static string Write(string path, long size, int seed, int variant = 0, double changedFraction = 0.03)
    {
        var bytes = Generate(size, seed, variant, changedFraction);
        File.WriteAllBytes(path, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Asserts that two files hold the same bytes; names the first difference.</summary>
    public static void AssertIdentical(string expected, string actual)
    {
        var a = new FileInfo(expected);
        var b = new FileInfo(actual);
        Assert.True(b.Exists, $"{actual} does not exist");
        Assert.Equal(a.Length, b.Length);
        using var x = a.OpenRead();
        using var y = b.OpenRead();
        var bufferA = new byte[1 << 20];
        var bufferB = new byte[1 << 20];
        long offset = 0;
        while (true)
        {
            var n = x.ReadAtLeast(bufferA, bufferA.Length, throwOnEndOfStream: false);
            var m = y.ReadAtLeast(bufferB, bufferB.Length, throwOnEndOfStream: false);
            Assert.Equal(n, m);
            if (n == 0) return;
            var mismatch = bufferA.AsSpan(0, n).CommonPrefixLength(bufferB.AsSpan(0, n));
            if (mismatch < n) Assert.Fail($"{actual} differs from {expected} at byte {offset + mismatch}");
            offset += n;
        }
    }
}
