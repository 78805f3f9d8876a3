using Microsoft.Data.Sqlite;

namespace OrleansDedup.Sql;

/// <summary>
/// Prepares a SQLite file for Orleans' ADO.NET grain storage (<c>AddAdoNetGrainStorage</c> with invariant
/// <c>"System.Data.SQLite"</c>, which Orleans serves with Microsoft.Data.Sqlite): the Orleans package ships no scripts.
/// </summary>
public static class SqliteGrainStorageSchema
{
    /// <summary>The ADO.NET invariant to configure the Orleans provider with.</summary>
    public const string Invariant = "System.Data.SQLite";

    private const string Dialect = "Sqlite";

    /// <summary>Creates or upgrades the tables and named queries; idempotent and safe to call from several processes.</summary>
    public static void EnsureCreated(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            // WAL lets readers proceed during a write and makes a commit one sequential append.
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
        }

        SqlScriptRunner.Apply(connection, Dialect);
    }

    /// <summary>A connection string for the database file at <paramref name="databasePath"/>, created if missing.</summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(databasePath),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
    }.ToString();
}
