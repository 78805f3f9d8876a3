using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace OrleansDedup.Sql.Tests.GrainStorage;

/// <summary>The grain-storage contract on SQLite, the embedded store's catalog: a fresh file per test.</summary>
public sealed class SqliteGrainStorageTests : GrainStorageContract, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override string Invariant => SqliteGrainStorageSchema.Invariant;

    protected override string ConnectionString => _database.ConnectionString;

    protected override DbConnection CreateConnection() => new SqliteConnection(ConnectionString);

    public void Dispose() => _database.Dispose();
}
