namespace OrleansDedup.Cli;

/// <summary>What the process's exit code means.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int BadInput = 3;
    public const int NotFound = 4;
    public const int Conflict = 5;
    public const int VerifyFailed = 6;
    public const int Busy = 7;
    public const int Interrupted = 8;
    public const int Cancelled = 130;
}
