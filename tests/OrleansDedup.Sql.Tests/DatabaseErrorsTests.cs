using System.Net.Sockets;
using Npgsql;

namespace OrleansDedup.Sql.Tests;

/// <summary>Only the database's own failures count as "cannot reach the database": the grid's calls time out too.</summary>
public sealed class DatabaseErrorsTests
{
    [Fact]
    public void A_timeout_or_lost_connection_of_the_grid_is_not_a_database_error()
    {
        Assert.False(DatabaseErrors.IsUnreachable(new TimeoutException("Response did not arrive on time in 00:10:00 for message")));
        Assert.False(DatabaseErrors.IsUnreachable(new InvalidOperationException("call failed", new SocketException((int)SocketError.ConnectionReset))));
    }

    [Theory]
    [InlineData("57P01")]
    [InlineData("57P03")]
    [InlineData("08006")]
    public void A_server_that_shuts_down_or_drops_the_connection_is_unreachable(string sqlState)
    {
        var error = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", sqlState);

        Assert.True(DatabaseErrors.IsUnreachable(new InvalidOperationException("wrapped", error)));
    }

    [Fact]
    public void A_timeout_inside_the_database_driver_is_unreachable_and_a_refused_statement_is_not()
    {
        Assert.True(DatabaseErrors.IsUnreachable(new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"))));
        Assert.False(DatabaseErrors.IsUnreachable(new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505")));
    }
}
