using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OrleansDedup.Bench.Kernels;

/// <summary>
/// zstd on real chunk data (<see cref="CompressionCorpus"/>, 64 MiB per operation so MB/s is of uncompressed bytes):
/// ZstdSharp.Port (managed) against ZstdNet (native libzstd), every 4 KiB block alone or frames of neighbouring blocks,
/// at levels 1 and 3 (and 5 at 128 KiB). Codecs are reused and every output goes to a frame-sized scratch buffer, as
/// a store's hot path would do; the CompRatio column is uncompressed bytes over frame bytes (headers included).
/// </summary>
[Config(typeof(CompressionConfig))]
public class CompressionKernels
{
    private byte[] _data = [];
    private byte[] _compressed = [];
    private int[] _frameStarts = [];
    private byte[] _scratch = [];
    private ZstdCodec _codec = null!;

    [Params(ZstdLibrary.ZstdSharp, ZstdLibrary.ZstdNet)]
    public ZstdLibrary Library { get; set; }

    [ParamsSource(nameof(Settings))]
    public ZstdSetting Setting { get; set; } = ZstdSetting.All[0];

    public static IEnumerable<ZstdSetting> Settings => ZstdSetting.All;

    /// <summary>Loads the corpus and compresses it once for the decompression benchmark, checking the round trip.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _data = CompressionCorpus.Load();
        _codec = ZstdCodec.Create(Library, Setting.Level);
        (_compressed, _frameStarts) = CompressAll(_codec, _data, Setting.FrameSize);
        _scratch = new byte[ZstdCodec.CompressBound(Setting.FrameSize)];
        for (int frame = 0; frame < _frameStarts.Length - 1; frame++)
        {
            int length = _codec.Decompress(_compressed.AsSpan(_frameStarts[frame].._frameStarts[frame + 1]), _scratch);
            if (!_scratch.AsSpan(0, length).SequenceEqual(_data.AsSpan(frame * Setting.FrameSize, Setting.FrameSize)))
            {
                throw new InvalidOperationException($"{Library} {Setting}: frame {frame} did not round-trip");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _codec.Dispose();

    [Benchmark]
    public long Compress()
    {
        long total = 0;
        int frameSize = Setting.FrameSize;
        for (int offset = 0; offset < _data.Length; offset += frameSize)
        {
            total += _codec.Compress(_data.AsSpan(offset, frameSize), _scratch);
        }

        return total;
    }

    [Benchmark]
    public long Decompress()
    {
        long total = 0;
        for (int frame = 0; frame < _frameStarts.Length - 1; frame++)
        {
            total += _codec.Decompress(_compressed.AsSpan(_frameStarts[frame].._frameStarts[frame + 1]), _scratch);
        }

        return total;
    }

    /// <summary>Every frame of <paramref name="data"/> compressed back to back, with the frames' start offsets.</summary>
    public static (byte[] Compressed, int[] FrameStarts) CompressAll(ZstdCodec codec, byte[] data, int frameSize)
    {
        int frames = data.Length / frameSize;
        var compressed = new byte[frames * ZstdCodec.CompressBound(frameSize)];
        var starts = new int[frames + 1];
        for (int frame = 0; frame < frames; frame++)
        {
            starts[frame + 1] = starts[frame] + codec.Compress(data.AsSpan(frame * frameSize, frameSize), compressed.AsSpan(starts[frame]));
        }

        return (compressed, starts);
    }
}

/// <summary>
/// What incompressible data costs at level 3 (64 MiB of random bytes in 128 KiB frames), and what a probe saves: level 1
/// on the frame's first 8 KiB, storing the frame raw when that saves under 1/16. The real-data rows show what the probe
/// adds where it does not pay (it rarely fires there; <see cref="CompressionReport"/> counts how often).
/// </summary>
[Config(typeof(ThroughputConfig))]
public class IncompressibleKernels
{
    public const int FrameSize = 128 << 10;
    public const int ProbeSize = 8 << 10;

    private byte[] _random = [];
    private byte[] _real = [];
    private byte[] _scratch = [];
    private ZstdCodec _probe = null!;
    private ZstdCodec _full = null!;

    [Params(ZstdLibrary.ZstdSharp, ZstdLibrary.ZstdNet)]
    public ZstdLibrary Library { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _real = CompressionCorpus.Load();
        _random = new byte[_real.Length];
        new Random(42).NextBytes(_random);
        _scratch = new byte[ZstdCodec.CompressBound(FrameSize)];
        _probe = ZstdCodec.Create(Library, 1);
        _full = ZstdCodec.Create(Library, 3);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _probe.Dispose();
        _full.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long RandomLevel3() => Store(_random, probed: false);

    [Benchmark]
    public long RandomProbed() => Store(_random, probed: true);

    [Benchmark]
    public long RealLevel3() => Store(_real, probed: false);

    [Benchmark]
    public long RealProbed() => Store(_real, probed: true);

    private long Store(byte[] data, bool probed)
    {
        long total = 0;
        for (int offset = 0; offset < data.Length; offset += FrameSize)
        {
            var frame = data.AsSpan(offset, FrameSize);
            total += probed ? StoreProbed(_probe, _full, frame, _scratch, out _) : _full.Compress(frame, _scratch);
        }

        return total;
    }

    /// <summary>
    /// Compresses <paramref name="frame"/> with <paramref name="full"/> unless level 1 on its first 8 KiB saves under
    /// 1/16; returns the stored length (the frame's own length when stored raw).
    /// </summary>
    public static int StoreProbed(ZstdCodec probe, ZstdCodec full, ReadOnlySpan<byte> frame, Span<byte> scratch, out bool raw)
    {
        var head = frame[..Math.Min(ProbeSize, frame.Length)];
        raw = probe.Compress(head, scratch) > head.Length - head.Length / 16;
        return raw ? frame.Length : full.Compress(frame, scratch);
    }
}

/// <summary>The throughput column plus the compression ratio of each case's library and setting.</summary>
public class CompressionConfig : ThroughputConfig
{
    public CompressionConfig() => AddColumn(new CompressionRatioColumn());
}

/// <summary>Uncompressed over compressed bytes of the corpus for a case's library and setting, computed in the host.</summary>
public sealed class CompressionRatioColumn : IColumn
{
    private static readonly ConcurrentDictionary<(ZstdLibrary, ZstdSetting), double> Ratios = new();
    private static readonly Lazy<byte[]> Corpus = new(CompressionCorpus.Load);

    public static double Ratio(ZstdLibrary library, ZstdSetting setting, byte[] data) => Ratios.GetOrAdd((library, setting), _ =>
    {
        using var codec = ZstdCodec.Create(library, setting.Level);
        var (_, starts) = CompressionKernels.CompressAll(codec, data, setting.FrameSize);
        return (double)(data.Length / setting.FrameSize * setting.FrameSize) / starts[^1];
    });

    public string Id => nameof(CompressionRatioColumn);

    public string ColumnName => "CompRatio";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Uncompressed bytes over compressed bytes (frame headers included) of the corpus";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        benchmarkCase.Parameters["Library"] is ZstdLibrary library && benchmarkCase.Parameters["Setting"] is ZstdSetting setting
            ? Ratio(library, setting, Corpus.Value).ToString("F2")
            : "-";

    public override string ToString() => ColumnName;
}
