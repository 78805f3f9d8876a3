using ZstdSharp;
using ZstdSharp.Unsafe;

namespace OrleansDedup.Storage.Compression;

/// <summary>
/// Compresses frames for one pack writer with reusable zstd contexts (ZstdSharp: managed, so silos and CI need no native
/// library). A frame is kept compressed only if that saves at least 1/32 of it; otherwise it is stored as it is, so
/// incompressible data costs a read of its bytes, never a decompression.
/// </summary>
public sealed class FrameCompressor : IDisposable
{
    /// <summary>Bytes of a frame that <see cref="CompressionMode.Auto"/> tries at the fastest level first.</summary>
    internal const int ProbeBytes = 8 << 10;

    private readonly CompressionSettings _settings;
    private readonly Compressor? _compressor;
    private readonly Compressor? _probe;

    public FrameCompressor(CompressionSettings settings)
    {
        _settings = settings;
        if (settings.Mode == CompressionMode.None) return;
        _compressor = new Compressor(settings.Level);
        // 4 bytes a frame buy a check of the decoded bytes in the decoder itself: damage is refused by frame, not only
        // later by a fingerprint mismatch.
        _compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        if (settings.Mode == CompressionMode.Auto) _probe = new Compressor(1);
    }

    /// <summary>The destination size <see cref="Compress"/> may need for <paramref name="length"/> bytes.</summary>
    public static int Bound(int length) => Compressor.GetCompressBound(length);

    /// <summary>Compresses <paramref name="raw"/> into <paramref name="destination"/> (at least <see cref="Bound"/>
    /// long) when that pays; returns the codec chosen and the stored length (the raw length when stored).</summary>
    public (FrameCodec Codec, int Length) Compress(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        if (_compressor is null || raw.Length < 64) return (FrameCodec.Stored, raw.Length);
        if (_probe is not null && raw.Length > ProbeBytes)
        {
            var sample = raw[..ProbeBytes];
            if (!Pays(sample.Length, _probe.Wrap(sample, destination))) return (FrameCodec.Stored, raw.Length);
        }
        var length = _compressor.Wrap(raw, destination);
        return Pays(raw.Length, length) ? (FrameCodec.Zstd, length) : (FrameCodec.Stored, raw.Length);
    }

    public void Dispose()
    {
        _compressor?.Dispose();
        _probe?.Dispose();
    }

    private static bool Pays(int raw, int compressed) => compressed <= raw - raw / 32;
}
