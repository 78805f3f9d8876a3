using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Ingest;
using Spectre.Console;

namespace OrleansDedup.Cli.Rendering;

/// <summary>Progress bars for long work, one per image; silent under --json or when output is redirected. An image's bar
/// pulses until the grid first reports bytes of it done, or its end.</summary>
public static class ProgressView
{
    public static async Task<T> Run<T>(bool json, IReadOnlyList<ImageSource> sources, Func<Action<int, IngestStatus>, Task<T>> work)
    {
        if (json || Console.IsErrorRedirected) return await work((_, _) => { });
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var tasks = sources.Select(s => ctx.AddTask(Markup.Escape(s.Name), maxValue: 1).IsIndeterminate()).ToArray();
                ctx.Refresh();
                result = await work((i, status) =>
                {
                    var first = tasks[i].IsIndeterminate && (status.BytesDone > 0 || status.State != IngestState.Running);
                    if (first) tasks[i].IsIndeterminate = false;
                    if (status.BytesTotal > 0) tasks[i].MaxValue = status.BytesTotal;
                    tasks[i].Value = status.State == IngestState.Running ? status.BytesDone : tasks[i].MaxValue;
                    // The first bytes are drawn at once, not at the next of the bars' 100 ms refreshes.
                    if (first) ctx.Refresh();
                });
            });
        return result;
    }

    public static async Task<T> Run<T>(bool json, string label, long total, Func<Action<long>, Task<T>> work)
    {
        if (json || Console.IsErrorRedirected) return await work(_ => { });
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total));
                result = await work(n => task.Increment(n));
                task.Value = task.MaxValue;
            });
        return result;
    }
}
