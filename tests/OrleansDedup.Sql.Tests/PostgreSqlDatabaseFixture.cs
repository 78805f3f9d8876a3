using OrleansDedup.Testing.PostgreSql;

namespace OrleansDedup.Sql.Tests;

/// <summary>A fresh database per test class (<c>od_test_&lt;guid&gt;</c>), dropped afterwards, plus scratch ones.</summary>
public sealed class PostgreSqlDatabaseFixture : IAsyncLifetime
{
    private readonly PostgreSqlDatabases _databases = new();

    /// <summary>The class's database; no schema applied.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Another empty database, dropped with the fixture.</summary>
    public Task<string> CreateScratchDatabaseAsync() => _databases.CreateAsync();

    public async Task InitializeAsync() => ConnectionString = await _databases.CreateAsync();

    public async Task DisposeAsync() => await _databases.DisposeAsync();
}
