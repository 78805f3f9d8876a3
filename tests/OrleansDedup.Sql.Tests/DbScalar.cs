using System.Data.Common;

namespace OrleansDedup.Sql.Tests;

/// <summary>One number read from a database, whichever provider holds it.</summary>
internal static class DbScalar
{
    /// <summary>Runs <paramref name="sql"/> on <paramref name="connection"/> (opened here if closed); each parameter
    /// is named in the SQL as <c>@Name</c>.</summary>
    public static async Task<long> LongAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
