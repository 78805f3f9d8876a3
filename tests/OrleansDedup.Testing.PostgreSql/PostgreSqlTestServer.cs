using Npgsql;

namespace OrleansDedup.Testing.PostgreSql;

/// <summary>
/// The real PostgreSQL server the tests run against, named by <c>ORLEANS_DEDUP_TEST_PG</c> (a role that may CREATE
/// DATABASE). Missing is a failure, not a skip: CI always sets it, and a silently skipped persistence test proves nothing.
/// </summary>
public static class PostgreSqlTestServer
{
    public const string EnvironmentVariable = "ORLEANS_DEDUP_TEST_PG";

    /// <summary>Every database the tests create is named so; nothing else is ever dropped.</summary>
    private const string Prefix = "od_test_";

    /// <summary>The connection string of the server's test role (its own database), as CI exports it.</summary>
    public static string ConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set, so the PostgreSQL tests have no server. .ci/run sets it; locally, " +
                    "run the PostgreSQL part of .ci/run as root (it installs Debian's postgresql, starts it on 127.0.0.1:5432 " +
                    "and creates the role), or point it at any server whose role may CREATE DATABASE, e.g. " +
                    $"export {EnvironmentVariable}='Host=127.0.0.1;Port=5432;Username=orleans_dedup;Password=...;Database=orleans_dedup'");
            }

            return value;
        }
    }

    /// <summary>Creates an empty database <c>od_test_&lt;guid&gt;</c> and returns a connection string for it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = Prefix + Guid.NewGuid().ToString("N");
        await ExecuteOnServerAsync($"CREATE DATABASE {name}"); // a generated identifier, not input
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, ending sessions still open on it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"refusing to drop {name}: the tests did not create it");
        }

        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>The rows <paramref name="sql"/> returns; each parameter is named in the SQL as <c>@Name</c>.</summary>
    public static async Task<List<object?[]>> QueryAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The one number <paramref name="sql"/> returns.</summary>
    public static async Task<long> ScalarLongAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
        => Convert.ToInt64((await QueryAsync(connectionString, sql, parameters)).Single()[0]);

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
