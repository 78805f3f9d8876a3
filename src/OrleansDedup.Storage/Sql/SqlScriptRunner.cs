using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;

namespace OrleansDedup.Storage;

/// <summary>
/// Applies the embedded scripts of one dialect folder (<c>Sql/{Dialect}/NNNN-Name.sql</c>) in number order, each in
/// its own transaction, recording each number in <c>OrleansDedupSchema</c> so that a script runs once per database.
/// </summary>
/// <remarks>Plain ADO.NET so that a second dialect (e.g. <c>Sql/PostgreSql/</c>) reuses it unchanged.</remarks>
internal static class SqlScriptRunner
{
    private const string ResourceRoot = "Sql/";

    /// <summary>Brings the database up to the newest script of <paramref name="dialect"/>.</summary>
    public static void Apply(DbConnection connection, string dialect)
    {
        foreach (var script in Scripts(dialect))
        {
            // Serializable makes Microsoft.Data.Sqlite take the write lock up front (BEGIN IMMEDIATE), so two
            // processes starting together apply each script once.
            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable);
            Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS OrleansDedupSchema (Version INTEGER NOT NULL)");
            var version = Convert.ToInt32(
                Scalar(connection, transaction, "SELECT COALESCE(MAX(Version), 0) FROM OrleansDedupSchema"),
                CultureInfo.InvariantCulture);
            if (script.Number <= version)
            {
                continue;
            }

            Execute(connection, transaction, ReadScript(script.ResourceName));
            using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO OrleansDedupSchema (Version) VALUES (@Version)";
                var parameter = record.CreateParameter();
                parameter.ParameterName = "@Version";
                parameter.Value = script.Number;
                record.Parameters.Add(parameter);
                record.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

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

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
