using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Images;

namespace OrleansDedup.Grains.Offline;

/// <summary>
/// Reads the catalog's and the image grains' rows from an embedded store's SQLite file, as Orleans' ADO.NET grain
/// storage wrote them (see <see cref="RowJson"/>).
/// </summary>
internal sealed class CatalogRows(string databasePath, string serviceId) : IDisposable
{
    private readonly SqliteConnection? _connection = Open(databasePath);

    public string[] ImageNames() =>
        Read(StorageNames.CatalogGrainType, null, CatalogJson.Default.CatalogState)?.Names.Order(StringComparer.Ordinal).ToArray() ?? [];

    public ImageRecord? Image(string name) => Read(StorageNames.ImageGrainType, name, CatalogJson.Default.ImageRecord);

    public void Dispose() => _connection?.Dispose();

    private T? Read<T>(string grainType, string? key, JsonTypeInfo<T> type) where T : class
    {
        if (_connection is null) return null;
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $type AND ServiceId = $service AND " +
                              (key is null ? "GrainIdExtensionString IS NULL" : "GrainIdExtensionString = $key");
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$service", serviceId);
        if (key is not null) command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() is byte[] { Length: > 0 } payload
            ? RowJson.Read(payload, type)
            : null;
    }

    private static SqliteConnection? Open(string path)
    {
        if (!File.Exists(path)) return null;
        // Read-write, not read-only: the database is in WAL mode, and a reader may have to recover the WAL index.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite }.ToString());
        connection.Open();
        return connection;
    }
}
