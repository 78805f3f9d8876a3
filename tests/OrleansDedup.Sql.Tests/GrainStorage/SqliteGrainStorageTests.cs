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

    /// <summary>What the contract's grain calls cannot see: the state a silo wrote is in the test's file, which the
    /// schema left in WAL mode (readers go on during a write; a commit is one append).</summary>
    [Fact]
    public async Task The_state_a_silo_wrote_is_in_the_file_which_stays_in_WAL_mode()
    {
        var cluster = await StartClusterAsync();
        try
        {
            await cluster.Client.GetGrain<ICatalogEntryGrain>("image-" + Guid.NewGuid().ToString("N")).SetAsync("disk-image-7");
        }
        finally
        {
            await TestClusters.StopAsync(cluster);
        }

        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var journalMode = connection.CreateCommand();
        journalMode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await journalMode.ExecuteScalarAsync());
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @s AND PayloadBinary IS NOT NULL", ("s", ServiceId)));
    }

    public void Dispose() => _database.Dispose();
}
