using System.Diagnostics;

namespace OrleansDedup.Testing.Processes;

/// <summary>What a program run to its end printed, and how it ended.</summary>
public sealed record ProcessResult(int ExitCode, string Out, string Error, TimeSpan Elapsed, bool TimedOut);

/// <summary>Runs a program to its end with its output captured, the way every test runs a short-lived command (the
/// CLI, a silo that must refuse its configuration).</summary>
public static class ProcessRun
{
    /// <summary>Runs <paramref name="info"/>; past <paramref name="limit"/> the process and its children are killed and
    /// the result says <see cref="ProcessResult.TimedOut"/> (exit code -1). <paramref name="started"/> is given the
    /// process, for a test that signals it. Blocking callers may wait on the task: nothing here needs their context.</summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo info, TimeSpan limit, Action<Process>? started = null)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        ChildProcesses.Track(process);
        try
        {
            started?.Invoke(process);
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(limit).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
                return new ProcessResult(-1, await output.ConfigureAwait(false), await error.ConfigureAwait(false), clock.Elapsed, TimedOut: true);
            }
            return new ProcessResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false), clock.Elapsed, TimedOut: false);
        }
        finally
        {
            ChildProcesses.Forget(process);
        }
    }
}
