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
            case "hostile-layouts":
                Hostile.HostileLayoutReport.Run(Console.Out, args.Length > 1 ? args[1..].Select(long.Parse) : [64, 256]);
                return 0;
            case "hostile-layout" when args.Length == 3:
                Hostile.HostileLayoutReport.RunOne(Console.Out, args[1], args[2]);
                return 0;
            case "hostile-file" when args.Length == 4:
                Hostile.HostileLayoutReport.Build(args[1], args[2], args[3]);
                return 0;
            case "compression-report":
                Kernels.CompressionReport.Run(Console.Out);
                return 0;
            default:
                Console.Error.WriteLine("usage: OrleansDedup.Bench kernels [BenchmarkDotNet args] | compression-report | hostile-layouts [MiB...]   (end to end: orleans-dedup bench PATH...)");
                return 2;
        }
    }
}
