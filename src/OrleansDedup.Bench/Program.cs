using BenchmarkDotNet.Running;

namespace OrleansDedup.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "kernels":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                return 0;
            default:
                Console.Error.WriteLine("usage: OrleansDedup.Bench kernels [BenchmarkDotNet args] | ingest ...");
                return 2;
        }
    }
}
