using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using OrleansDedup.ImageFormats.Layout;

namespace OrleansDedup.Bench.Kernels;

/// <summary>
/// Cost of mapping a container before ingest: qcow2 images whose every cluster qemu-img allocated up front
/// (preallocation=metadata), so every L2 entry is read and merged, while the files stay sparse.
/// </summary>
[MemoryDiagnoser]
public class ImageLayoutKernels
{
    private string _directory = "";
    private SafeFileHandle _largeClusters = null!;
    private SafeFileHandle _smallClusters = null!;

    /// <summary>Creates the images with qemu-img outside the measured code.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("layout-bench-").FullName;
        _largeClusters = Create("large.qcow2", "cluster_size=65536", "64G");
        _smallClusters = Create("small.qcow2", "cluster_size=4096", "4G");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _largeClusters.Dispose();
        _smallClusters.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>64 GiB guest in 64 KiB clusters: 128 L2 tables, a million entries.</summary>
    [Benchmark(Baseline = true)]
    public int Qcow2Preallocated64GiB() => ImageLayoutReader.Read(_largeClusters, RandomAccess.GetLength(_largeClusters)).Regions.Count;

    /// <summary>4 GiB guest in 4 KiB clusters: 2,048 L2 tables, a million entries.</summary>
    [Benchmark]
    public int Qcow2Preallocated4KiBClusters() => ImageLayoutReader.Read(_smallClusters, RandomAccess.GetLength(_smallClusters)).Regions.Count;

    private SafeFileHandle Create(string name, string options, string size)
    {
        string path = Path.Combine(_directory, name);
        using (var process = Process.Start("qemu-img", $"create -q -f qcow2 -o preallocation=metadata,{options} {path} {size}"))
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"qemu-img could not create {path}");
            }
        }

        return File.OpenHandle(path);
    }
}
