using System.Runtime.InteropServices;

namespace OrleansDedup.Cli.Hosting;

/// <summary>
/// SIGINT and SIGTERM cancel the running command, which then has <see cref="Grace"/> to say "cancelled" and leave on its
/// own (an ingest asks its grains to cancel). Past that the process ends with 130 at once (<c>_exit</c>: an orderly exit
/// would wait for the hosts' shutdown, up to their 30 s timeout): a user or an orchestrator that stops the CLI must not
/// wait on a grid that does not answer. The grid treats an ingest whose client is gone as it
/// treats any other: it finishes or abandons it.
/// </summary>
public sealed partial class StopSignals : IDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1.5);

    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop)];
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Exchange(ref _stopping, 1) == 1) return;
        // The deadline runs on a thread of its own, set before anything is cancelled, and cancelling runs elsewhere: the
        // command's continuations run inline in Cancel (the grid's shutdown among them), and neither they nor a starved
        // thread pool may hold back the exit.
        new Thread(() =>
        {
            Thread.Sleep(Grace);
            Console.Error.WriteLine("error: cancelled");
            Console.Error.Flush();
            Console.Out.Flush();
            if (OperatingSystem.IsWindows()) Environment.Exit(ExitCodes.Cancelled);
            ExitNow(ExitCodes.Cancelled);
        }) { IsBackground = true, Name = "stop deadline" }.Start();
        ThreadPool.UnsafeQueueUserWorkItem(_ => _cancel.Cancel(), null);
    }

    private int _stopping;

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitNow(int status);
}
