using Microsoft.Data.Sqlite;
using Newtonsoft.Json;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Images;

namespace OrleansDedup.Grains.Offline;

/// <summary>
/// Reads the catalog's and the image grains' rows from an embedded store's SQLite file, as Orleans' ADO.NET grain
/// storage wrote them: Newtonsoft JSON with <c>$type</c> names, read back with the settings Orleans writes with.
/// </summary>
internal sealed class CatalogRows(string databasePath, string serviceId) : IDisposable
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        TypeNameHandling = TypeNameHandling.All,
        PreserveReferencesHandling = PreserveReferencesHandling.Objects,
        DefaultValueHandling = DefaultValueHandling.Ignore,
        MissingMemberHandling = MissingMemberHandling.Ignore,
        NullValueHandling = NullValueHandling.Ignore,
        ConstructorHandling = ConstructorHandling.AllowNonPublicDefaultConstructor,
        DateParseHandling = DateParseHandling.DateTimeOffset,
    };

    private readonly SqliteConnection? _connection = Open(databasePath);

    public string[] ImageNames() =>
        Read<CatalogState>(StorageNames.CatalogGrainType, null)?.Names.ToArray() ?? [];

    public ImageRecord? Image(string name) => Read<ImageRecord>(StorageNames.ImageGrainType, name);

    public void Dispose() => _connection?.Dispose();

    private T? Read<T>(string grainType, string? key) where T : class
    {
        if (_connection is null) return null;
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $type AND ServiceId = $service AND " +
                              (key is null ? "GrainIdExtensionString IS NULL" : "GrainIdExtensionString = $key");
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$service", serviceId);
        if (key is not null) command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() is byte[] { Length: > 0 } payload
            ? JsonConvert.DeserializeObject<T>(System.Text.Encoding.UTF8.GetString(payload), Settings)
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
