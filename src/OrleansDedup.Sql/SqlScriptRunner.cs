using System.Data;
using System.Data.Common;
using System.Globalization;

namespace OrleansDedup.Sql;

/// <summary>
/// Applies the embedded scripts of one dialect folder (<c>{Dialect}/NNNN-Name.sql</c>, embedded as
/// <c>Sql/{Dialect}/NNNN-Name.sql</c>) in number order, each in its own transaction, recording each number in
/// <c>OrleansDedupSchema</c> so that a script runs once per database.
/// </summary>
/// <remarks>Plain ADO.NET, so that every dialect (<c>Sqlite/</c>, <c>PostgreSql/</c>) shares it.</remarks>
internal static class SqlScriptRunner
{
    private const string ResourceRoot = "Sql/";

    /// <summary>
    /// Brings a SQLite database up to the newest script of <paramref name="dialect"/>. Serializable makes
    /// Microsoft.Data.Sqlite take the write lock up front (BEGIN IMMEDIATE), so two processes starting together apply
    /// each script once.
    /// </summary>
    /// <remarks>Microsoft.Data.Sqlite completes its asynchronous calls synchronously, so this blocks on nothing.</remarks>
    public static void Apply(DbConnection connection, string dialect) =>
        ApplyAsync(connection, dialect, IsolationLevel.Serializable, lockStatement: null, CancellationToken.None)
            .GetAwaiter().GetResult();

    /// <summary>
    /// Brings the database up to the newest script of <paramref name="dialect"/>. When given,
    /// <paramref name="lockStatement"/> runs first in every script's transaction and must block until this
    /// initialiser is the only one (e.g. PostgreSQL's <c>pg_advisory_xact_lock</c>); the isolation level must then let
    /// the statements after it see what the previous holder committed (READ COMMITTED, not a snapshot taken earlier).
    /// </summary>
    public static async Task ApplyAsync(DbConnection connection, string dialect, IsolationLevel isolation,
        string? lockStatement, CancellationToken cancellationToken)
    {
        foreach (var script in Scripts(dialect))
        {
            await using var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken).ConfigureAwait(false);
            if (lockStatement is not null)
            {
                await ExecuteAsync(connection, transaction, lockStatement, cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS OrleansDedupSchema (Version INTEGER NOT NULL)",
                cancellationToken).ConfigureAwait(false);
            var version = Convert.ToInt32(
                await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(Version), 0) FROM OrleansDedupSchema", cancellationToken)
                    .ConfigureAwait(false),
                CultureInfo.InvariantCulture);
            if (script.Number <= version)
            {
                continue; // disposing the transaction rolls it back and releases the lock
            }

            await ExecuteAsync(connection, transaction, ReadScript(script.ResourceName), cancellationToken).ConfigureAwait(false);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO OrleansDedupSchema (Version) VALUES (@Version)";
                var parameter = record.CreateParameter();
                parameter.ParameterName = "@Version";
                parameter.Value = script.Number;
                record.Parameters.Add(parameter);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The number of the newest embedded script of <paramref name="dialect"/>.</summary>
    public static int LatestVersion(string dialect) => Scripts(dialect).Select(script => script.Number).DefaultIfEmpty(0).Max();

    private static IReadOnlyList<(int Number, string ResourceName)> Scripts(string dialect)
    {
        var prefix = ResourceRoot + dialect + "/";
        return typeof(SqlScriptRunner).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Number: ParseNumber(name, prefix), ResourceName: name))
            .OrderBy(script => script.Number)
            .ToList();
    }

    private static int ParseNumber(string resourceName, string prefix)
    {
        var fileName = resourceName.AsSpan(prefix.Length);
        var dash = fileName.IndexOf('-');
        if (dash <= 0 || !int.TryParse(fileName[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new InvalidOperationException($"SQL script '{resourceName}' is not named NNNN-Name.sql.");
        }

        return number;
    }

    private static string ReadScript(string resourceName)
    {
        using var stream = typeof(SqlScriptRunner).Assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
