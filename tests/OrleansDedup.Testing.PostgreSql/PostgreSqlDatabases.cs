namespace OrleansDedup.Testing.PostgreSql;

/// <summary>Empty databases on <see cref="PostgreSqlTestServer"/> for one test class (or fixture), all dropped on dispose.</summary>
public sealed class PostgreSqlDatabases : IAsyncDisposable
{
    private readonly List<string> _created = [];

    /// <summary>Creates another empty database (no schema applied) and returns its connection string.</summary>
    public async Task<string> CreateAsync()
    {
        var connectionString = await PostgreSqlTestServer.CreateDatabaseAsync();
        lock (_created)
        {
            _created.Add(connectionString);
        }

        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        string[] created;
        lock (_created)
        {
            created = [.. _created];
            _created.Clear();
        }

        foreach (var connectionString in created)
        {
            await PostgreSqlTestServer.DropDatabaseAsync(connectionString);
        }
    }
}
