using System.Diagnostics;

namespace OrleansDedup.Bench.Kernels;

/// <summary>
/// A quick Stopwatch pass over the whole compression matrix (best of three passes per cell, the two libraries
/// interleaved so background load hits both alike), plus what BenchmarkDotNet cannot show: the ratios, how often the
/// incompressibility probe fires on real data and what storing those frames raw costs in size, and which libzstd the
/// process really loaded.
/// </summary>
public static class CompressionReport
{
    private const int Passes = 3;

    public static void Run(TextWriter output)
    {
        byte[] data = CompressionCorpus.Load();
        output.WriteLine($"corpus: {data.Length >> 20} MiB of distinct non-zero 4 KiB blocks; MB/s = 10^6 uncompressed bytes per second, best of {Passes}");
        output.WriteLine($"{"library",-10} {"setting",-8} {"ratio",6} {"comp MB/s",10} {"decomp MB/s",12}");
        foreach (var setting in ZstdSetting.All)
        {
            foreach (var library in Enum.GetValues<ZstdLibrary>())
            {
                using var codec = ZstdCodec.Create(library, setting.Level);
                var (compressed, starts) = CompressionKernels.CompressAll(codec, data, setting.FrameSize);
                var scratch = new byte[ZstdCodec.CompressBound(setting.FrameSize)];
                double compress = Best(data.Length, () =>
                {
                    for (int offset = 0; offset < data.Length; offset += setting.FrameSize)
                        codec.Compress(data.AsSpan(offset, setting.FrameSize), scratch);
                });
                double decompress = Best(data.Length, () =>
                {
                    for (int frame = 0; frame < starts.Length - 1; frame++)
                        codec.Decompress(compressed.AsSpan(starts[frame]..starts[frame + 1]), scratch);
                });
                double ratio = CompressionRatioColumn.Ratio(library, setting, data);
                output.WriteLine($"{library,-10} {setting,-8} {ratio,6:F2} {compress,10:N0} {decompress,12:N0}");
            }
        }

        var random = new byte[data.Length];
        new Random(42).NextBytes(random);
        const int frameSize = IncompressibleKernels.FrameSize;
        output.WriteLine($"incompressible: {frameSize >> 10} KiB frames at level 3, probe = level 1 on the first {IncompressibleKernels.ProbeSize >> 10} KiB");
        output.WriteLine($"{"library",-10} {"random L3",10} {"random probed",14} {"real L3",8} {"real probed",12} {"real frames raw",16} {"ratio L3→probed",16}");
        foreach (var library in Enum.GetValues<ZstdLibrary>())
        {
            using var probe = ZstdCodec.Create(library, 1);
            using var full = ZstdCodec.Create(library, 3);
            var scratch = new byte[ZstdCodec.CompressBound(frameSize)];
            double Measure(byte[] source, bool probed) => Best(source.Length, () =>
            {
                for (int offset = 0; offset < source.Length; offset += frameSize)
                {
                    var frame = source.AsSpan(offset, frameSize);
                    if (probed) IncompressibleKernels.StoreProbed(probe, full, frame, scratch, out _);
                    else full.Compress(frame, scratch);
                }
            });

            long stored = 0, storedFull = 0;
            int raw = 0, frames = data.Length / frameSize;
            for (int offset = 0; offset < data.Length; offset += frameSize)
            {
                var frame = data.AsSpan(offset, frameSize);
                stored += IncompressibleKernels.StoreProbed(probe, full, frame, scratch, out bool wasRaw);
                storedFull += Math.Min(frameSize, full.Compress(frame, scratch));
                raw += wasRaw ? 1 : 0;
            }

            output.WriteLine($"{library,-10} {Measure(random, false),10:N0} {Measure(random, true),14:N0} {Measure(data, false),8:N0} {Measure(data, true),12:N0} {$"{raw}/{frames}",16} {$"{(double)data.Length / storedFull:F3}→{(double)data.Length / stored:F3}",16}");
        }

        output.WriteLine("libzstd mapped: " + string.Join(", ", File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].Contains("libzstd", StringComparison.Ordinal))
            .Select(fields => fields[5]).Distinct().DefaultIfEmpty("none")));
    }

    private static double Best(long bytes, Action pass)
    {
        pass();
        double best = double.MaxValue;
        for (int i = 0; i < Passes; i++)
        {
            long start = Stopwatch.GetTimestamp();
            pass();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return bytes / best / 1e6;
    }
}
