using Npgsql;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL server named by <c>ORLEANS_DEDUP_TEST_PG</c> (CI sets it; its role may CREATE DATABASE).
/// Missing is a failure, not a skip: a silently skipped integration test proves nothing.
/// </summary>
public static class TestPostgres
{
    public const string EnvironmentVariable = "ORLEANS_DEDUP_TEST_PG";

    public static string ServerConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(value))
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set, so the integration tests have no PostgreSQL server. .ci/run sets it; locally, " +
                    $"export {EnvironmentVariable}='Host=127.0.0.1;Port=5432;Username=...;Password=...;Database=...' (a role that may CREATE DATABASE)");
            return value;
        }
    }

    /// <summary>Creates an empty database <c>od_it_&lt;guid&gt;</c>; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "od_it_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}"; // a generated identifier, not input
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    /// <summary>Drops the database, ending the sessions still open on it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        if (!name.StartsWith("od_it_", StringComparison.Ordinal)) throw new InvalidOperationException($"refusing to drop {name}");
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<object?[]>> QueryAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
