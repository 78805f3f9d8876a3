using System.Data.Common;
using System.Net.Sockets;

namespace OrleansDedup.Sql;

/// <summary>Tells an unreachable database (a server restarting or out of reach, which passes) from one that refused
/// the work, however many layers wrapped the error.</summary>
public static class DatabaseErrors
{
    /// <remarks>A timeout or a socket error counts only inside a database error: the grid's own calls time out and lose
    /// connections too (a silo that died), and blaming the database for those sends the operator the wrong way.</remarks>
    public static bool IsUnreachable(Exception error)
    {
        var inDatabase = false;
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } or DatabaseUnavailableException || IsServerGoingAway(e)) return true;
            inDatabase |= e is DbException;
            if (inDatabase && e is SocketException or TimeoutException) return true;
        }
        return false;
    }

    /// <summary>A server shutting down or restarting ends its sessions with 57P01-57P03, and a lost connection is class
    /// 08; the provider does not always call those transient.</summary>
    private static bool IsServerGoingAway(Exception e) =>
        e is DbException { SqlState: { } state } && (state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("08", StringComparison.Ordinal));

    /// <summary>The innermost message, as one line, for an error a user reads.</summary>
    public static string Reason(Exception error)
    {
        var e = error;
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
    }
}
