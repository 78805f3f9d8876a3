using System.Diagnostics;
using OrleansDedup.ImageFormats;
using OrleansDedup.ImageFormats.Layout;
using OrleansDedup.Testing.Images;

namespace OrleansDedup.Bench.Hostile;

/// <summary>
/// Peak memory, allocations and time of reading the layout of each crafted file of issue 14 (shared tables, packed
/// compressed clusters, huge virtual sizes), at the sizes given: what parsing a hostile container costs.
/// </summary>
public static class HostileLayoutReport
{
    private static readonly Dictionary<string, Action<string, long>> Builders = new()
    {
        ["same-L2-qcow2"] = (path, bytes) => HostileImages.SameL2Qcow2(path, bytes),
        ["same-GT-vmdk"] = (path, bytes) => HostileImages.SameGrainTableVmdk(path, bytes),
        ["packed-1-byte-qcow2"] = (path, bytes) => HostileImages.PackedCompressedQcow2(path, bytes / 9, inflatable: false),
        ["packed-deflate-qcow2"] = (path, bytes) => HostileImages.PackedCompressedQcow2(path, bytes / 40, inflatable: true),
    };

    /// <summary>Each file in a process of its own, so that each peak is its own.</summary>
    public static void Run(TextWriter output, IEnumerable<long> mebibytes)
    {
        output.WriteLine("file                          size MiB  peak RSS MiB  allocated MiB   time ms  outcome");
        foreach (long mib in mebibytes)
        {
            foreach (string kind in Builders.Keys)
            {
                output.WriteLine(Child(kind, mib.ToString()));
            }
        }

        output.WriteLine(Child("thin-qcow2", "100T"));
        output.WriteLine(Child("qcow2-virtual-2^56", "0"));
    }

    /// <summary>Builds one crafted file and prints what reading its layout cost.</summary>
    public static void RunOne(TextWriter output, string kind, string size)
    {
        string directory = Directory.CreateTempSubdirectory("hostile-layouts-").FullName;
        try
        {
            string path = Path.Combine(directory, "image");
            Build(kind, size, path);
            Measure(output, $"{kind} {size}", path);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Writes one crafted file to <paramref name="path"/>, e.g. to try it with the CLI.</summary>
    public static void Build(string kind, string size, string path)
    {
        if (kind == "thin-qcow2")
        {
            HostileImages.ThinQcow2(path, size);
        }
        else if (kind == "qcow2-virtual-2^56")
        {
            HostileImages.HugeVirtualSizeQcow2(path, 1L << 56);
        }
        else
        {
            Builders[kind](path, long.Parse(size) << 20);
        }
    }

    private static string Child(string kind, string size)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (var argument in new[] { typeof(HostileLayoutReport).Assembly.Location, "hostile-layout", kind, size })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        string line = process.StandardOutput.ReadToEnd().TrimEnd();
        process.WaitForExit();
        return line;
    }

    private static void Measure(TextWriter output, string name, string path)
    {
        using var file = File.OpenHandle(path);
        long length = RandomAccess.GetLength(file);
        GC.Collect();
        ResetPeak();
        long baseline = Peak();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        string outcome;
        try
        {
            outcome = $"mapped, {ImageLayoutReader.Read(file, length).Regions.Count} regions";
        }
        catch (ImageFormatException e)
        {
            outcome = "refused: " + (e.Message.Length > 90 ? e.Message[..90] + "..." : e.Message);
        }

        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        output.WriteLine($"{name,-29} {length / 1048576.0,8:F1} {(Peak() - baseline) / 1048576.0,13:F1} {allocated / 1048576.0,14:F1} {clock.ElapsedMilliseconds,9}  {outcome}");
    }

    /// <summary>Linux lets a process reset its own high-water mark, so the peak excludes building the file.</summary>
    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Peak()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            }
        }

        return 0;
    }
}
