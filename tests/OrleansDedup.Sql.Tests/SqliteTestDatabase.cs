using Microsoft.Data.Sqlite;

namespace OrleansDedup.Sql.Tests;

/// <summary>A fresh SQLite file with the grain-storage schema applied, removed afterwards.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "odsql-" + Guid.NewGuid().ToString("N") + ".db");

    public SqliteTestDatabase()
    {
        ConnectionString = SqliteGrainStorageSchema.ConnectionString(_path);
        SqliteGrainStorageSchema.EnsureCreated(ConnectionString);
    }

    public string ConnectionString { get; }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }
    }
}
