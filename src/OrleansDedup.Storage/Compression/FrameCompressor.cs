using ZstdNet;

namespace OrleansDedup.Storage.Compression;

/// <summary>
/// Compresses frames with a reusable zstd context (ZstdNet: libzstd, whose own build the package ships per platform;
/// 1.3-1.6x ZstdSharp's compression speed at the same ratio on image data, see the Bench's CompressionKernels). A frame is
/// kept compressed only if that pays (<see cref="CompressionMode.Auto"/>: saves at least 1/32; <see cref="CompressionMode.Zstd"/>:
/// is smaller at all); otherwise it is stored as it is, so incompressible data costs a read, never a decompression. zstd
/// itself gives up on incompressible input at several GB/s, so no separate probe is needed.
/// </summary>
public sealed class FrameCompressor : IDisposable
{
    private readonly CompressionSettings _settings;
    private readonly Compressor? _compressor;

    public FrameCompressor(CompressionSettings settings)
    {
        _settings = settings;
        if (settings.Mode == CompressionMode.None) return;
        // 4 bytes a frame buy a check of the decoded bytes in the decoder itself: damage is refused by frame, not only
        // later by a fingerprint mismatch.
        _compressor = new Compressor(new CompressionOptions(null,
            new Dictionary<ZSTD_cParameter, int> { [ZSTD_cParameter.ZSTD_c_checksumFlag] = 1 }, settings.Level));
    }

    /// <summary>The destination size <see cref="Compress"/> may need for <paramref name="length"/> bytes.</summary>
    public static int Bound(int length) => Compressor.GetCompressBound(length);

    /// <summary>Compresses <paramref name="raw"/> into <paramref name="destination"/> (at least <see cref="Bound"/>
    /// long) when that pays; returns the codec chosen and the stored length (the raw length when stored).</summary>
    public (FrameCodec Codec, int Length) Compress(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        if (_compressor is null || raw.Length < 64) return (FrameCodec.Stored, raw.Length);
        var length = _compressor.Wrap(raw, destination);
        var pays = _settings.Mode == CompressionMode.Auto ? length <= raw.Length - raw.Length / 32 : length < raw.Length;
        return pays ? (FrameCodec.Zstd, length) : (FrameCodec.Stored, raw.Length);
    }

    public void Dispose() => _compressor?.Dispose();
}
