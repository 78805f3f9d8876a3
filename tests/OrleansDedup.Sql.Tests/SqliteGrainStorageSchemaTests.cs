using Microsoft.Data.Sqlite;

namespace OrleansDedup.Sql.Tests;

public sealed class SqliteGrainStorageSchemaTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private async Task<long> ScalarLongAsync(string sql)
    {
        await using var connection = new SqliteConnection(_database.ConnectionString);
        return await DbScalar.LongAsync(connection, sql);
    }

    [Fact]
    public async Task EnsureCreated_is_idempotent_versioned_and_sets_WAL()
    {
        SqliteGrainStorageSchema.EnsureCreated(_database.ConnectionString);
        SqliteGrainStorageSchema.EnsureCreated(_database.ConnectionString);

        Assert.Equal(1, await ScalarLongAsync("SELECT MAX(Version) FROM OrleansDedupSchema"));
        Assert.Equal(1, await ScalarLongAsync("SELECT COUNT(*) FROM OrleansDedupSchema"));
        Assert.Equal(4, await ScalarLongAsync("SELECT COUNT(*) FROM OrleansQuery"));
        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }
}
