using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using OrleansDedup.Chunking;

namespace OrleansDedup.Bench.Kernels;

/// <summary>
/// Per-core cost of the ingest kernels, each over the same 64 MiB so the ratio column compares them directly and the
/// MB/s column needs no per-benchmark size.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class ChunkingKernels
{
    /// <summary>Bytes every benchmark processes per invocation.</summary>
    public const int BufferSize = 64 << 20;

    private const int BlockSize = 4096;

    private byte[] _random = [];
    private byte[] _zeros = [];
    private RabinChunker _window48 = null!;
    private RabinChunker _window1024 = null!;

    /// <summary>Builds the buffers and chunkers outside the measured code.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _random = new byte[BufferSize];
        new Random(42).NextBytes(_random);
        // On random data IsZero exits at the first byte; all-zero blocks are its full-scan worst case. Filling commits
        // real pages: untouched ones all map the kernel's single zero page, which would be measured from L1.
        _zeros = new byte[BufferSize];
        _zeros.AsSpan().Fill(0);
        _window48 = new RabinChunker(new RabinOptions());
        _window1024 = new RabinChunker(new RabinOptions { WindowSize = 1024 });
    }

    /// <summary>Fingerprinting every 4 KiB block: the cost every other kernel is compared with.</summary>
    [Benchmark(Baseline = true)]
    public byte Sha256()
    {
        Span<byte> digest = stackalloc byte[Fingerprint.Size];
        byte folded = 0;
        for (int offset = 0; offset < BufferSize; offset += BlockSize)
        {
            SHA256.HashData(_random.AsSpan(offset, BlockSize), digest);
            folded ^= digest[0];
        }

        return folded;
    }

    /// <summary>Fingerprinting every 4 KiB block as ingest does: libcrypto's plain SHA-256 calls, not .NET's EVP path.</summary>
    [Benchmark]
    public byte Fingerprints()
    {
        byte folded = 0;
        for (int offset = 0; offset < BufferSize; offset += BlockSize)
            folded ^= (byte)Fingerprint.Compute(_random.AsSpan(offset, BlockSize)).GetHashCode();

        return folded;
    }

    /// <summary>Zero detection of every 4 KiB block.</summary>
    [Benchmark]
    public int ZeroCheck()
    {
        int zeroBlocks = 0;
        for (int offset = 0; offset < BufferSize; offset += BlockSize)
        {
            zeroBlocks += ZeroBlock.IsZero(_zeros.AsSpan(offset, BlockSize)) ? 1 : 0;
        }

        return zeroBlocks;
    }

    /// <summary>All chunk boundaries with the default 48-byte window.</summary>
    [Benchmark]
    public int RabinWindow48() => CountChunks(_window48);

    /// <summary>All chunk boundaries with a 1 KiB window.</summary>
    [Benchmark]
    public int RabinWindow1024() => CountChunks(_window1024);

    private int CountChunks(RabinChunker chunker)
    {
        chunker.Reset();
        int chunks = 0;
        ReadOnlySpan<byte> rest = _random;
        for (int cut = chunker.FindBoundary(rest); cut > 0; cut = chunker.FindBoundary(rest))
        {
            chunks++;
            rest = rest[cut..];
        }

        return chunks;
    }
}
