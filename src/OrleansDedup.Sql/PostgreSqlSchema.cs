using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace OrleansDedup.Sql;

/// <summary>
/// Prepares a PostgreSQL database for Orleans' ADO.NET providers with invariant <c>"Npgsql"</c>: cluster membership
/// (<c>UseAdoNetClustering</c>) and grain state (<c>AddAdoNetGrainStorage</c>). The Orleans packages ship no scripts;
/// the project's own (<c>PostgreSql/NNNN-*.sql</c>) are applied in order, each once, and recorded in
/// <c>OrleansDedupSchema</c>.
/// </summary>
public static class PostgreSqlSchema
{
    /// <summary>The ADO.NET invariant to configure the Orleans providers with.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Connection attempts before <see cref="EnsureCreatedAsync(string, CancellationToken)"/> gives up.</summary>
    public const int DefaultMaxAttempts = 5;

    /// <summary>The wait after the first failed attempt; it doubles after each further one.</summary>
    public static readonly TimeSpan DefaultInitialDelay = TimeSpan.FromSeconds(1);

    private const string Dialect = "PostgreSql";

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    // Serialises initialisers of one database (advisory locks are per database) for the rest of each script's
    // transaction; READ COMMITTED then lets the version check see what the previous holder committed.
    private const string LockStatement = "SELECT pg_advisory_xact_lock(hashtext('OrleansDedupSchema'))";

    /// <summary>The schema version the embedded scripts lead to.</summary>
    public static int LatestVersion => SqlScriptRunner.LatestVersion(Dialect);

    /// <summary>
    /// Creates or upgrades the tables and named queries, one transaction per pending script; idempotent and safe when
    /// several silos start at once. An unreachable server is retried <see cref="DefaultMaxAttempts"/> times with
    /// exponential backoff from <see cref="DefaultInitialDelay"/>, then <see cref="DatabaseUnavailableException"/>.
    /// </summary>
    public static Task EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken = default) =>
        EnsureCreatedAsync(connectionString, DefaultMaxAttempts, DefaultInitialDelay, cancellationToken);

    /// <summary>
    /// As <see cref="EnsureCreatedAsync(string, CancellationToken)"/>, with the retry bound given: at most
    /// <paramref name="maxAttempts"/> attempts, waiting <paramref name="initialDelay"/> after the first failure and
    /// twice as long after each further one (capped at 30 s). Errors that are not about reaching the server (bad
    /// password, missing database, SQL errors) are thrown at once, unchanged.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">The server stayed unreachable for all attempts.</exception>
    public static Task EnsureCreatedAsync(string connectionString, int maxAttempts, TimeSpan initialDelay,
        CancellationToken cancellationToken = default) =>
        WithConnectionAsync(connectionString, maxAttempts, initialDelay, async (connection, ct) =>
        {
            await SqlScriptRunner.ApplyAsync(connection, Dialect, IsolationLevel.ReadCommitted, LockStatement, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <summary>The newest script applied to the database; 0 when none is (one attempt, no retries).</summary>
    /// <exception cref="DatabaseUnavailableException">The server could not be reached.</exception>
    public static Task<int> CurrentVersionAsync(string connectionString, CancellationToken cancellationToken = default) =>
        WithConnectionAsync(connectionString, maxAttempts: 1, TimeSpan.Zero, async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            // to_regclass resolves the name through the search path as the runner's CREATE TABLE did. Two statements:
            // PostgreSQL resolves every table a statement names before running it, even in a branch never taken.
            command.CommandText = "SELECT to_regclass('orleansdedupschema') IS NOT NULL";
            if (!(bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                return 0;
            }

            command.CommandText = "SELECT COALESCE(MAX(Version), 0) FROM OrleansDedupSchema";
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }, cancellationToken);

    private static async Task<T> WithConnectionAsync<T>(string connectionString, int maxAttempts, TimeSpan initialDelay,
        Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        var target = new NpgsqlConnectionStringBuilder(connectionString); // rejects a malformed string up front

        var started = Stopwatch.StartNew();
        var delay = initialDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return await work(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= maxAttempts)
                {
                    throw new DatabaseUnavailableException(
                        target.Host ?? "localhost",
                        target.Port,
                        target.Database ?? target.Username ?? "(default)",
                        attempt,
                        started.Elapsed,
                        e);
                }
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> says the server cannot be reached or cannot serve yet, as opposed to refusing us
    /// (authentication, missing database) or rejecting SQL: only the former is worth waiting for.
    /// </summary>
    internal static bool IsUnreachable(Exception e) => e switch
    {
        // 08: connection exception; 57P01-03: shutting down / starting up; 53300: too many connections.
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                                    or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        // Socket errors, timeouts and broken connections (Npgsql marks these transient).
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or TimeoutException => true,
        _ => false,
    };
}
