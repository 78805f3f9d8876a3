namespace OrleansDedup.Cli;

/// <summary>A failure the user can act on: shown as one line, with the exit code it names.</summary>
public sealed class UserError(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
