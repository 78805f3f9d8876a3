using System.Text.Json;
using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Storage.IO;

namespace OrleansDedup.Migration.Grains.Hosts;

/// <summary>A host's capacity in <c>{host}/host.json</c>, so that a configured host stays configured across restarts.</summary>
internal static class HostCapacityFile
{
    private const string FileName = "host.json";

    public static HostCapacity? Read(string directory)
    {
        var file = Path.Combine(directory, FileName);
        return File.Exists(file) ? JsonSerializer.Deserialize<HostCapacity>(File.ReadAllText(file)) : null;
    }

    public static void Write(string directory, HostCapacity capacity) =>
        DurableFile.Write(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(capacity));
}
