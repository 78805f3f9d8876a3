using System.Data.Common;
using System.Net.Sockets;

namespace OrleansDedup.Storage;

/// <summary>Tells an unreachable database (a server restarting or out of reach, which passes) from one that refused
/// the work, however many layers wrapped the error.</summary>
public static class DatabaseErrors
{
    public static bool IsUnreachable(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is DbException { IsTransient: true } or SocketException or TimeoutException or DatabaseUnavailableException) return true;
        return false;
    }

    /// <summary>The innermost message, as one line, for an error a user reads.</summary>
    public static string Reason(Exception error)
    {
        var e = error;
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
    }
}
