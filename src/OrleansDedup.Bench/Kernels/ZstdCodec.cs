using NetCompressionOptions = ZstdNet.CompressionOptions;
using NetCompressor = ZstdNet.Compressor;
using NetDecompressor = ZstdNet.Decompressor;
using SharpCompressor = ZstdSharp.Compressor;
using SharpDecompressor = ZstdSharp.Decompressor;

namespace OrleansDedup.Bench.Kernels;

/// <summary>The zstd implementations under comparison.</summary>
public enum ZstdLibrary
{
    /// <summary>ZstdSharp.Port: zstd 1.5.7 ported to C#, nothing native.</summary>
    ZstdSharp,

    /// <summary>ZstdNet: P/Invoke into libzstd (the package ships its own build per RID).</summary>
    ZstdNet,
}

/// <summary>
/// One compressor and one decompressor at a fixed level, reused for every frame the way a hot path would hold them:
/// span in, span out, no allocation per call. Not thread-safe, like the objects it wraps.
/// </summary>
public abstract class ZstdCodec : IDisposable
{
    public static ZstdCodec Create(ZstdLibrary library, int level) => library switch
    {
        ZstdLibrary.ZstdSharp => new SharpCodec(level),
        ZstdLibrary.ZstdNet => new NetCodec(level),
        _ => throw new ArgumentOutOfRangeException(nameof(library), library, null),
    };

    /// <summary>Worst-case compressed size of <paramref name="length"/> bytes (zstd's ZSTD_COMPRESSBOUND).</summary>
    public static int CompressBound(int length) => SharpCompressor.GetCompressBound(length);

    /// <summary>Compresses <paramref name="source"/> as one frame; returns the frame's length.</summary>
    public abstract int Compress(ReadOnlySpan<byte> source, Span<byte> destination);

    /// <summary>Decompresses one frame into <paramref name="destination"/>, which must hold it; returns its length.</summary>
    public abstract int Decompress(ReadOnlySpan<byte> source, Span<byte> destination);

    public abstract void Dispose();

    private sealed class SharpCodec(int level) : ZstdCodec
    {
        private readonly SharpCompressor _compressor = new(level);
        private readonly SharpDecompressor _decompressor = new();

        public override int Compress(ReadOnlySpan<byte> source, Span<byte> destination) => _compressor.Wrap(source, destination);

        public override int Decompress(ReadOnlySpan<byte> source, Span<byte> destination) => _decompressor.Unwrap(source, destination);

        public override void Dispose()
        {
            _compressor.Dispose();
            _decompressor.Dispose();
        }
    }

    private sealed class NetCodec : ZstdCodec
    {
        private readonly NetCompressionOptions _options;
        private readonly NetCompressor _compressor;
        private readonly NetDecompressor _decompressor = new();

        public NetCodec(int level)
        {
            _options = new NetCompressionOptions(level);
            _compressor = new NetCompressor(_options);
        }

        public override int Compress(ReadOnlySpan<byte> source, Span<byte> destination) => _compressor.Wrap(source, destination);

        // The destination is sized from the frame we wrote, so the frame-header precheck would only repeat that.
        public override int Decompress(ReadOnlySpan<byte> source, Span<byte> destination) =>
            _decompressor.Unwrap(source, destination, bufferSizePrecheck: false);

        public override void Dispose()
        {
            _compressor.Dispose();
            _decompressor.Dispose();
            _options.Dispose();
        }
    }
}

/// <summary>A compression level and the frame size the input is cut into (4 KiB: every block alone).</summary>
public sealed record ZstdSetting(int Level, int FrameSize)
{
    /// <summary>Levels 1 and 3 at every frame size, and level 5 at 128 KiB.</summary>
    public static IReadOnlyList<ZstdSetting> All { get; } =
    [
        .. new[] { 1, 3 }.SelectMany(level => new[] { 4, 16, 64, 128, 256 }.Select(kib => new ZstdSetting(level, kib << 10))),
        new(5, 128 << 10),
    ];

    public override string ToString() => $"L{Level} {FrameSize >> 10,3}K";
}
