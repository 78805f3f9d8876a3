using System.Diagnostics;
using System.Text.Json;
using OrleansDedup.Testing.Processes;

namespace OrleansDedup.Cli.Tests;

/// <summary>Runs the real orleans-dedup program as a separate process, as a user would.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
}

public static class Cli
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "orleans-dedup.dll");

    public static CliResult Run(string data, params string[] args) => RunAs(null, data, args);

    /// <summary>A command that has no store (e.g. simulate): no --data.</summary>
    public static CliResult RunWithoutStore(params string[] args) => RunAs(null, null, args);

    /// <summary>Runs under another user (via setpriv) when <paramref name="user"/> is set.</summary>
    public static CliResult RunAs(string? user, string? data, params string[] args)
    {
        var result = ProcessRun.RunAsync(StartInfo(user, data, args), TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
        return new CliResult(result.ExitCode, result.Out, result.Error);
    }

    /// <summary>Starts the program without waiting for it, for a test that signals it. It starts as from a terminal,
    /// with SIGINT handled: a test run launched in the background (as CI may be) ignores SIGINT, and so, by POSIX
    /// convention, would every process it starts.</summary>
    public static Process Start(string data, params string[] args)
    {
        var info = StartInfo(null, data, args);
        info.ArgumentList.Insert(0, info.FileName);
        info.ArgumentList.Insert(0, "--default-signal=INT");
        info.FileName = "env";
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return Process.Start(info)!;
    }

    private static ProcessStartInfo StartInfo(string? user, string? data, string[] args)
    {
        var info = user is null ? new ProcessStartInfo("dotnet") : new ProcessStartInfo("setpriv");
        if (user is not null)
            foreach (var a in new[] { $"--reuid={user}", $"--regid={user}", "--clear-groups", "dotnet" }) info.ArgumentList.Add(a);
        info.ArgumentList.Add(Program);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (data is not null)
        {
            info.ArgumentList.Add("--data");
            info.ArgumentList.Add(data);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }

    public static string TempStore() => Path.Combine(Path.GetTempPath(), "orleans-dedup-test-" + Guid.NewGuid().ToString("N"));
}
