using System.Diagnostics;
using System.Text.Json;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Integration.Tests.Infrastructure;

public sealed record CliResult(string[] Args, int ExitCode, string Out, string Error, TimeSpan Elapsed, bool TimedOut = false)
{
    public JsonElement Json
    {
        get
        {
            try
            {
                return JsonDocument.Parse(Out).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"`orleans-dedup {string.Join(' ', Args)}` printed no JSON ({e.Message}):\n{this}");
            }
        }
    }

    public override string ToString() =>
        $"orleans-dedup {string.Join(' ', Args)} -> {(TimedOut ? "still running, killed" : $"exit {ExitCode}")} after {Elapsed.TotalSeconds:0.0} s\nstdout: {Out}\nstderr: {Error}";
}

/// <summary>The real <c>orleans-dedup</c> program (cli/orleans-dedup.dll, a copy of its own build output), run as a separate
/// process, as an operator would.</summary>
public static class CliProcess
{
    public static readonly string Program = Path.Combine(AppContext.BaseDirectory, "cli", "orleans-dedup.dll");

    /// <summary>Runs the CLI to its end; past <paramref name="timeout"/> (default 3 min) it is killed and, if
    /// <paramref name="returnOnTimeout"/>, a result with <see cref="CliResult.TimedOut"/> is returned instead of throwing.
    /// <paramref name="environment"/> adds variables (e.g. the ORLEANS_DEDUP_TLS_* files) to the scrubbed environment;
    /// <paramref name="started"/> is given the process, for a test that signals it.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string> args, TimeSpan? timeout = null, bool returnOnTimeout = false,
        IReadOnlyDictionary<string, string>? environment = null, Action<Process>? started = null)
    {
        var info = DotnetProgram.StartInfo(Program, args);
        // The CLI never touches a local store against a cluster; point its default somewhere harmless anyway.
        info.Environment["ORLEANS_DEDUP_DATA"] = Path.Combine(Path.GetTempPath(), "od-it-cli-unused");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var limit = timeout ?? TimeSpan.FromMinutes(3);
        var run = await ProcessRun.RunAsync(info, limit, started);
        var result = new CliResult(args.ToArray(), run.ExitCode, run.Out, run.Error, run.Elapsed, run.TimedOut);
        if (run.TimedOut && !returnOnTimeout)
            throw new TimeoutException($"`orleans-dedup {string.Join(' ', args)}` did not finish within {limit}; stdout: {run.Out}; stderr: {run.Error}");
        return result;
    }
}
