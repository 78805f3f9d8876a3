using System.Globalization;
using System.Net.Sockets;

namespace OrleansDedup.Sql;

/// <summary>
/// The database server could not be reached (refused, timed out, not accepting connections yet) within a bounded
/// number of attempts. The message names host, port and database, never credentials; the last error is the inner
/// exception.
/// </summary>
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException(string host, int port, string database, int attempts, TimeSpan elapsed, Exception? lastError)
        : base(Describe(host, port, database, attempts, elapsed, lastError), lastError)
    {
        Host = host;
        Port = port;
        Database = database;
        Attempts = attempts;
    }

    /// <summary>The server host (or hosts, or socket directory) from the connection string.</summary>
    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    /// <summary>How many connection attempts were made before giving up.</summary>
    public int Attempts { get; }

    private static string Describe(string host, int port, string database, int attempts, TimeSpan elapsed, Exception? lastError)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"Cannot reach the PostgreSQL server at {host}:{port} (database \"{database}\") after {attempts} attempt{(attempts == 1 ? "" : "s")} in {elapsed.TotalSeconds:0.#} s");
        var reason = Reason(lastError);
        return reason is null ? text + "." : $"{text}: {reason}.";
    }

    /// <summary>The most specific cause, e.g. "Connection refused", as one clause.</summary>
    private static string? Reason(Exception? error)
    {
        Exception? specific = null;
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException or TimeoutException)
            {
                specific = e;
                break;
            }
        }

        var message = (specific ?? error)?.Message;
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        message = message.ReplaceLineEndings(" ").Trim();
        return message.TrimEnd('.');
    }
}
