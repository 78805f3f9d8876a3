using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansDedup.Testing.Processes;

/// <summary>
/// Every process these tests start, by PID, so that they (and only they) are killed at the end even when a test or
/// fixture fails midway. Nothing here looks processes up by name: other silos may run on the machine.
/// </summary>
public static partial class ChildProcesses
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private static readonly ConcurrentDictionary<int, Process> Started = new();

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Track(Process process) => Started[process.Id] = process;

    public static void Forget(Process process) => Started.TryRemove(process.Id, out _);

    /// <summary>Sends <paramref name="signal"/> to one process this run started.</summary>
    public static void Signal(Process process, int signal)
    {
        if (!Started.ContainsKey(process.Id)) throw new InvalidOperationException($"process {process.Id} was not started by these tests");
        if (process.HasExited) return;
        if (Kill(process.Id, signal) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private static void KillAll()
    {
        foreach (var process in Started.Values)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
