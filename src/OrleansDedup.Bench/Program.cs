using BenchmarkDotNet.Running;

namespace OrleansDedup.Bench;

/// <summary>Kernel benchmarks; the end-to-end ingest benchmark is `orleans-dedup bench PATH...`, which needs the grid.</summary>
public static class Program
{
    /// <summary>Runs the command named by the first argument; exit code 2 on unknown commands.</summary>
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "kernels":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                return 0;
            case "compression-report":
                Kernels.CompressionReport.Run(Console.Out);
                return 0;
            default:
                Console.Error.WriteLine("usage: OrleansDedup.Bench kernels [BenchmarkDotNet args] | compression-report   (end to end: orleans-dedup bench PATH...)");
                return 2;
        }
    }
}
