using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using OrleansDedup.Chunking;

namespace OrleansDedup.Bench.Kernels;

/// <summary>
/// Real chunk data for the compression kernels: the distinct non-zero 4 KiB blocks of an ext4 image, in disk order,
/// sampled down to 64 MiB as evenly spaced runs of 256 KiB (the largest frame), so every frame holds disk neighbours
/// and the sample spans the whole image. The image is $ORLEANSDEDUP_ZSTD_IMAGE, or else one made once with
/// `mkfs.ext4 -d /usr/lib` in the temp directory; the sample is cached there too, since BenchmarkDotNet sets up
/// every case in a process of its own.
/// </summary>
public static class CompressionCorpus
{
    public const string ImageVariable = "ORLEANSDEDUP_ZSTD_IMAGE";
    public const int BlockSize = 4096;
    public const int RunSize = 256 << 10;

    private const string DefaultSource = "/usr/lib";

    private static readonly string CacheDirectory = Path.Combine(Path.GetTempPath(), "orleansdedup-zstd-bench");

    /// <summary>The sample, <see cref="ChunkingKernels.BufferSize"/> bytes unless the image has fewer distinct blocks.</summary>
    public static byte[] Load()
    {
        Directory.CreateDirectory(CacheDirectory);
        string image = Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } path ? path : DefaultImage();
        var info = new FileInfo(image);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"no image at {image} (${ImageVariable})", image);
        }

        string key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{ChunkingKernels.BufferSize}";
        string cache = Path.Combine(CacheDirectory, $"sample-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]}.bin");
        if (File.Exists(cache))
        {
            return File.ReadAllBytes(cache);
        }

        byte[] sample = Sample(image, ChunkingKernels.BufferSize);
        string partial = cache + $".{Environment.ProcessId}";
        File.WriteAllBytes(partial, sample);
        File.Move(partial, cache, overwrite: true);
        return sample;
    }

    private static byte[] Sample(string image, int size)
    {
        using var file = File.OpenHandle(image);
        long length = RandomAccess.GetLength(file);

        // Pass 1: where each distinct non-zero block first occurs, in disk order; holes are never read.
        var seen = new HashSet<Fingerprint>();
        var offsets = new List<long>();
        var buffer = new byte[8 << 20];
        foreach (var (regionOffset, regionLength) in SparseRegions.DataRegions(file, 0, length))
        {
            for (long position = regionOffset; position < regionOffset + regionLength;)
            {
                int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, regionOffset + regionLength - position)), position);
                if (read == 0) break;
                for (int at = 0; at + BlockSize <= read; at += BlockSize)
                {
                    var block = buffer.AsSpan(at, BlockSize);
                    if (!ZeroBlock.IsZero(block) && seen.Add(Fingerprint.Compute(block)))
                    {
                        offsets.Add(position + at);
                    }
                }

                position += read;
            }
        }

        // Pass 2: evenly spaced runs of neighbouring distinct blocks.
        int blocksPerRun = RunSize / BlockSize;
        int availableRuns = offsets.Count / blocksPerRun;
        int runs = Math.Min(size / RunSize, availableRuns);
        if (runs == 0)
        {
            throw new InvalidOperationException($"{image} has fewer than {blocksPerRun} distinct non-zero blocks");
        }

        var sample = new byte[runs * RunSize];
        for (int run = 0; run < runs; run++)
        {
            int first = (int)((long)run * availableRuns / runs) * blocksPerRun;
            for (int b = 0; b < blocksPerRun; b++)
            {
                RandomAccess.Read(file, sample.AsSpan((run * blocksPerRun + b) * BlockSize, BlockSize), offsets[first + b]);
            }
        }

        Console.Error.WriteLine($"// compression corpus: {offsets.Count:N0} distinct non-zero blocks in {image}, sampled {runs} runs of {RunSize >> 10} KiB");
        return sample;
    }

    /// <summary>An ext4 image of /usr/lib, made once: sparse, sized at 1.25 times `du` plus 256 MiB.</summary>
    private static string DefaultImage()
    {
        string image = Path.Combine(CacheDirectory, "usr-lib.ext4");
        if (File.Exists(image))
        {
            return image;
        }

        long kib = long.Parse(Run("du", "-sk", DefaultSource).Split('\t')[0]);
        string partial = image + $".{Environment.ProcessId}";
        using (var stream = File.Create(partial))
        {
            stream.SetLength(((kib * 5 / 4 >> 10) + 256) << 20);
        }

        Run("mkfs.ext4", "-q", "-F", "-b", "4096", "-d", DefaultSource, partial);
        File.Move(partial, image, overwrite: true);
        return image;
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error.Result}");
        }

        return output;
    }
}
