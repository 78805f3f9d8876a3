using System.Security.Cryptography;
using System.Text;
using OrleansDedup.Host.Configuration;

namespace OrleansDedup.Host.Security;

/// <summary>What a caller's key allows: nothing, reads, or reads and state-changing calls.</summary>
public enum ApiAccess { None, Read, Write }

/// <summary>
/// The silo's two API keys: <see cref="SiloHostOptions.ApiKey"/> (read-write) and
/// <see cref="SiloHostOptions.ReadOnlyApiKey"/> (reads only). A key given by a client is hashed and compared with both
/// in constant time, so neither the keys' content nor their length, nor which of them matched, leaks through timing.
/// </summary>
public sealed class ApiKeys(SiloHostOptions options)
{
    private readonly byte[]? _write = options.HasApiKey ? Hash(options.ApiKey!) : null;
    private readonly byte[]? _read = options.HasReadOnlyApiKey ? Hash(options.ReadOnlyApiKey!) : null;

    /// <summary>Whether any key is configured; without one, every call that needs a key is refused.</summary>
    public bool Any => _write is not null || _read is not null;

    public bool HasWrite => _write is not null;

    public ApiAccess Grant(string? given)
    {
        if (given is null) return ApiAccess.None;
        var hash = Hash(given);
        // Both comparisons always run: no early exit that would tell the read key from the write key by time.
        var write = _write is not null & CryptographicOperations.FixedTimeEquals(hash, _write ?? hash);
        var read = _read is not null & CryptographicOperations.FixedTimeEquals(hash, _read ?? hash);
        return write ? ApiAccess.Write : read ? ApiAccess.Read : ApiAccess.None;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
