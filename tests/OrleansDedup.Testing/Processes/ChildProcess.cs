using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansDedup.Testing.Processes;

/// <summary>A server process a test started (a silo host, Prometheus): its output is read line by line, the last lines
/// kept for failure messages (and each handed to an optional observer, e.g. a log file); it is tracked by
/// <see cref="ChildProcesses"/> and killed with its children on dispose.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 300;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Action<string, bool>? _observer;

    private ChildProcess(Process process, Action<string, bool>? observer)
    {
        _process = process;
        _observer = observer;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines of stdout and stderr, interleaved as they came.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts <paramref name="info"/> with its output redirected; <paramref name="observer"/> gets every line
    /// and whether it came from stderr.</summary>
    public static ChildProcess Start(ProcessStartInfo info, Action<string, bool>? observer = null)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var child = new ChildProcess(new Process { StartInfo = info }, observer);
        child._process.OutputDataReceived += (_, e) => child.Keep(e.Data, error: false);
        child._process.ErrorDataReceived += (_, e) => child.Keep(e.Data, error: true);
        child._process.Start();
        ChildProcesses.Track(child._process);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts <paramref name="info"/> and waits until <paramref name="path"/> at <paramref name="address"/>
    /// answers with success; kills the process if it does not.</summary>
    public static async Task<ChildProcess> StartReadyAsync(ProcessStartInfo info, Uri address, string path, TimeSpan limit, string what)
    {
        var child = Start(info);
        try
        {
            await child.WaitUntilAnswers(address, path, limit, what);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls <paramref name="path"/> until it answers with success; fails at once if the process exits.</summary>
    public async Task WaitUntilAnswers(Uri address, string path, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{what} exited with code {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                using var response = await probe.GetAsync(path);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (clock.Elapsed > limit) throw new TimeoutException($"{what} was not ready within {limit}:\n{Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. <see cref="ChildProcesses.SigTerm"/>) to the process.</summary>
    public void Signal(int signal) => ChildProcesses.Signal(_process, signal);

    /// <summary>Waits for the exit and for the output read to its end; a <see cref="TimeoutException"/> past
    /// <paramref name="limit"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan limit)
    {
        await _process.WaitForExitAsync().WaitAsync(limit);
        _process.WaitForExit();
    }

    private void Keep(string? line, bool error)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > KeptLines) _output.TryDequeue(out _);
        _observer?.Invoke(line, error);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        ChildProcesses.Forget(_process);
        _process.Dispose();
    }
}
