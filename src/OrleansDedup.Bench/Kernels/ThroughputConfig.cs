using BenchmarkDotNet.Configs;

namespace OrleansDedup.Bench.Kernels;

/// <summary>The default configuration plus an MB/s column.</summary>
public class ThroughputConfig : ManualConfig
{
    public ThroughputConfig() => AddColumn(new ThroughputColumn(ChunkingKernels.BufferSize));
}
