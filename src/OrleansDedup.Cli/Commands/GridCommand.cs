using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Cli.Hosting;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Sql;
using Spectre.Console.Cli;

namespace OrleansDedup.Cli.Commands;

/// <summary>Starts the embedded grid on the store, runs the command, and turns failures into one line and an exit code.</summary>
public abstract class GridCommand<TSettings> : AsyncCommand<TSettings> where TSettings : GridSettings
{
    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellation)
    {
        try
        {
            await Preflight(settings);
            return await Execute(settings, cancellation);
        }
        catch (UserError e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (StoreBusyException e)
        {
            return Fail(e.Message, ExitCodes.Busy);
        }
        catch (StoreFormatException e)
        {
            return Fail(e.Message, ExitCodes.BadInput);
        }
        catch (IngestException e)
        {
            return Fail(e.Message, ExitCodeOf(e.Kind));
        }
        catch (Exception e) when (e is OperationCanceledException || cancellation.IsCancellationRequested)
        {
            // Stopping also stops the grid's host under the command: whatever failed then, the user asked for it.
            return Fail("cancelled", ExitCodes.Cancelled);
        }
        catch (Exception e) when (DatabaseErrors.IsUnreachable(e))
        {
            return Fail($"cannot reach the catalog database ({DatabaseErrors.Reason(e)}); nothing was changed, retry once PostgreSQL is back",
                ExitCodes.Interrupted);
        }
        catch (Exception e)
        {
            return Fail($"{UserMessages.FirstLine(e.Message)} (details in {Path.Combine(settings.DataDirectory, "logs")})", ExitCodes.Failed);
        }
    }

    /// <summary>Opens the grid, runs the command on it, and logs what failed.</summary>
    protected virtual Task<int> Execute(TSettings settings, CancellationToken cancellation) =>
        RunOn(settings.OpenGrid(cancellation), settings, cancellation);

    /// <summary>Runs the command on the grid <paramref name="opening"/> yields, closes it, and logs what failed.</summary>
    protected async Task<int> RunOn(Task<IGrid> opening, TSettings settings, CancellationToken cancellation)
    {
        await using var grid = await opening;
        try
        {
            return await Run(grid, settings, cancellation);
        }
        catch (Exception e) when (e is not UserError and not OperationCanceledException)
        {
            grid.Services.GetRequiredService<ILoggerFactory>().CreateLogger(GetType()).LogError(e, "Command failed");
            throw;
        }
    }

    /// <summary>Checks the arguments before the store is touched.</summary>
    protected virtual Task Preflight(TSettings settings) => Task.CompletedTask;

    protected abstract Task<int> Run(IGrid grid, TSettings settings, CancellationToken cancellation);

    public static int ExitCodeOf(IngestErrorKind kind) => kind switch
    {
        IngestErrorKind.BadInput => ExitCodes.BadInput,
        IngestErrorKind.Conflict => ExitCodes.Conflict,
        IngestErrorKind.Interrupted or IngestErrorKind.SiloLost => ExitCodes.Interrupted,
        _ => ExitCodes.Failed,
    };

    public static int ExitCodeOf(IngestStatus status) =>
        status.State == IngestState.Cancelled ? ExitCodes.Cancelled : ExitCodeOf(status.ErrorKind);

    /// <summary>One line on stderr, whatever the message: its first line (Orleans and the database drivers append the
    /// remote stack to theirs; the log keeps it).</summary>
    public static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {UserMessages.FirstLine(message)}");
        return code;
    }
}
