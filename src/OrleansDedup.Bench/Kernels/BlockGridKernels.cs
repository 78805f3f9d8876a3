using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using OrleansDedup.Chunking;

namespace OrleansDedup.Bench.Kernels;

/// <summary>
/// The fixed path as a segment runs it (8 MiB batches ending on grid cuts, block starts from the grid, zero check and
/// SHA-256 of every block) over the same 64 MiB: cut as opaque bytes, and cut by a container's grid laid out like a
/// dynamic VHD, whose 512-byte sector bitmap before every 2 MiB block shifts the guest data off the file's 4 KiB grid.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class BlockGridKernels
{
    private const int BlockSize = 4096;
    private const int BatchSize = 8 << 20;
    private const int VhdBlock = 2 << 20;

    private byte[] _data = [];
    private int[] _starts = new int[BatchSize / BlockSize + 2];
    private BlockGrid _uniform = null!;
    private BlockGrid _container = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[ChunkingKernels.BufferSize];
        new Random(42).NextBytes(_data);
        _uniform = BlockGrid.Uniform(BlockSize);
        var spans = new List<GridSpan> { new(0, 1536, 0) };
        long guest = 0;
        for (var at = 1536L; at < _data.Length; guest += VhdBlock)
        {
            spans.Add(new GridSpan(at, 512, 0));
            var length = Math.Min(VhdBlock, _data.Length - at - 512);
            spans.Add(new GridSpan(at + 512, length, guest % BlockSize));
            at += 512 + length;
        }
        _container = BlockGrid.Anchored(BlockSize, spans);
    }

    [Benchmark(Baseline = true)]
    public byte OpaqueFixed() => Run(_uniform);

    [Benchmark]
    public byte ContainerGrid() => Run(_container);

    private byte Run(BlockGrid grid)
    {
        Span<byte> digest = stackalloc byte[Fingerprint.Size];
        byte folded = 0;
        for (long position = 0; position < _data.Length;)
        {
            var end = Math.Min(position + BatchSize, _data.Length);
            if (end < _data.Length) end = grid.CutAtOrBefore(end);
            var batch = _data.AsSpan((int)position, (int)(end - position));
            var blocks = grid.Cut(position, batch.Length, ref _starts);
            for (var b = 0; b < blocks; b++)
            {
                var block = batch[_starts[b].._starts[b + 1]];
                if (ZeroBlock.IsZero(block)) continue;
                SHA256.HashData(block, digest);
                folded ^= digest[0];
            }
            position = end;
        }
        return folded;
    }
}
