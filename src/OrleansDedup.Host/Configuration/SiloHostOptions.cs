using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace OrleansDedup.Host.Configuration;

/// <summary>
/// The silo host's settings: section <c>OrleansDedup</c> of appsettings.json, overridden by environment variables
/// (<c>OrleansDedup__ClusterId</c>, <c>OrleansDedup__ImageRoots__0</c>, ...). Secrets (<see cref="ConnectionString"/>,
/// <see cref="ApiKey"/>, <see cref="ReadOnlyApiKey"/>) come only from configuration or the environment, never from the repository.
/// The grid's own settings in the same section (ShardCount, Compression, ...) bind to <see cref="Grains.Hosting.DedupOptions"/>
/// (<see cref="DedupConfiguration"/>).
/// </summary>
public sealed class SiloHostOptions
{
    public const string Section = "OrleansDedup";
    public const string LocalhostClustering = "localhost";
    public const string PostgreSqlClustering = "postgresql";
    public const int MinApiKeyLength = 16;

    public string ClusterId { get; set; } = "orleans-dedup";

    public string ServiceId { get; set; } = "orleans-dedup";

    /// <summary>Default: the machine name, which in Kubernetes is the pod name.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at (in Kubernetes: the pod IP). Default: loopback
    /// for "localhost" clustering, else the first non-loopback IPv4 address of the machine.</summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>The address the silo and gateway ports listen on. Default: the advertised address (in Kubernetes the
    /// pod IP, so not loopback); "0.0.0.0" listens on every IPv4 address. Ignored by "localhost" clustering (loopback).</summary>
    public string? ListenIPAddress { get; set; }

    /// <summary>TLS on the silo and gateway ports.</summary>
    public SiloTlsOptions Tls { get; set; } = new();

    /// <summary>"localhost" (one development silo) or "postgresql".</summary>
    public string Clustering { get; set; } = LocalhostClustering;

    /// <summary>PostgreSQL connection string, for "postgresql" clustering; from configuration or the environment only.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The shared volume holding the chunk store; every silo of the cluster must reach the same one.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Directories ingest-by-path may read; empty refuses every ingest by path.</summary>
    public string[] ImageRoots { get; set; } = [];

    /// <summary>The read-write key (header X-Api-Key): every API call may use it, and state-changing calls need it; if
    /// empty those calls are refused.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The read-only key: GET calls of the API (list, stats, image content, ...) and the dashboard only.</summary>
    public string? ReadOnlyApiKey { get; set; }

    public long MaxUploadBytes { get; set; } = 64L << 30;

    public bool IsPostgreSql => string.Equals(Clustering, PostgreSqlClustering, StringComparison.OrdinalIgnoreCase);

    public bool HasApiKey => !string.IsNullOrEmpty(ApiKey);

    public bool HasReadOnlyApiKey => !string.IsNullOrEmpty(ReadOnlyApiKey);

    /// <summary>Binds and checks the settings; a problem is reported as one <see cref="ConfigurationError"/> line.</summary>
    public static SiloHostOptions Load(IConfiguration configuration)
    {
        var options = new SiloHostOptions();
        try
        {
            configuration.GetSection(Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // "Failed to convert configuration value '...' at 'OrleansDedup:SiloPort' to type 'System.Int32'."
            throw new ConfigurationError(e.Message.ReplaceLineEndings(" "));
        }
        options.Validate();
        return options;
    }

    public void Validate()
    {
        static string Env(string key) => $"{Section}__{key}";
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new ConfigurationError($"the cluster id is empty; set {Env(nameof(ClusterId))}");
        if (string.IsNullOrWhiteSpace(ServiceId)) throw new ConfigurationError($"the service id is empty; set {Env(nameof(ServiceId))}");
        if (string.IsNullOrWhiteSpace(SiloName)) throw new ConfigurationError($"the silo name is empty; set {Env(nameof(SiloName))}");
        CheckPort(SiloPort, nameof(SiloPort));
        CheckPort(GatewayPort, nameof(GatewayPort));
        if (SiloPort == GatewayPort) throw new ConfigurationError($"the silo port and the gateway port are both {SiloPort}; give them different ports");
        if (!string.Equals(Clustering, LocalhostClustering, StringComparison.OrdinalIgnoreCase) && !IsPostgreSql)
            throw new ConfigurationError($"unknown clustering '{Clustering}'; set {Env(nameof(Clustering))} to 'localhost' or 'postgresql'");
        if (IsPostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
            throw new ConfigurationError($"clustering 'postgresql' needs a connection string; set {Env(nameof(ConnectionString))}");
        if (!string.IsNullOrWhiteSpace(AdvertisedIPAddress) && !IPAddress.TryParse(AdvertisedIPAddress, out _))
            throw new ConfigurationError($"'{AdvertisedIPAddress}' is not an IP address; fix {Env(nameof(AdvertisedIPAddress))}");
        if (!string.IsNullOrWhiteSpace(ListenIPAddress) && !IPAddress.TryParse(ListenIPAddress, out _))
            throw new ConfigurationError($"'{ListenIPAddress}' is not an IP address; fix {Env(nameof(ListenIPAddress))}");
        Tls.Validate(clustered: IsPostgreSql);
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new ConfigurationError($"no data directory; set {Env(nameof(DataDirectory))} to the shared volume holding the chunk store");
        if (!Path.IsPathFullyQualified(DataDirectory))
            throw new ConfigurationError($"the data directory '{DataDirectory}' is not an absolute path; fix {Env(nameof(DataDirectory))}");
        for (var i = 0; i < ImageRoots.Length; i++)
        {
            var root = ImageRoots[i];
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
                throw new ConfigurationError($"image root '{root}' is not an absolute path; fix {Env(nameof(ImageRoots))}__{i}");
            if (!Directory.Exists(root))
                throw new ConfigurationError($"image root '{root}' is not a directory; fix {Env(nameof(ImageRoots))}__{i}");
        }
        if (HasApiKey && ApiKey!.Length < MinApiKeyLength)
            throw new ConfigurationError($"the API key is shorter than {MinApiKeyLength} characters; set {Env(nameof(ApiKey))} to a long random secret");
        if (HasReadOnlyApiKey && ReadOnlyApiKey!.Length < MinApiKeyLength)
            throw new ConfigurationError($"the read-only API key is shorter than {MinApiKeyLength} characters; set {Env(nameof(ReadOnlyApiKey))} to a long random secret");
        if (HasApiKey && ApiKey == ReadOnlyApiKey)
            throw new ConfigurationError($"the read-only API key equals the read-write key; give {Env(nameof(ReadOnlyApiKey))} a secret of its own");
        if (MaxUploadBytes < 1) throw new ConfigurationError($"the upload limit must be positive; fix {Env(nameof(MaxUploadBytes))}");
    }

    /// <summary>The address this silo advertises to the cluster.</summary>
    public IPAddress AdvertisedAddress()
    {
        if (!string.IsNullOrWhiteSpace(AdvertisedIPAddress)) return IPAddress.Parse(AdvertisedIPAddress);
        if (!IsPostgreSql) return IPAddress.Loopback;
        return FirstNonLoopbackIPv4()
            ?? throw new ConfigurationError($"this machine has no non-loopback IPv4 address; set {Section}__{nameof(AdvertisedIPAddress)} (in Kubernetes: the pod IP)");
    }

    /// <summary>The address the silo and gateway ports listen on: <see cref="ListenIPAddress"/>, else the advertised one.</summary>
    public IPAddress ListenAddress(IPAddress advertised) =>
        string.IsNullOrWhiteSpace(ListenIPAddress) ? advertised : IPAddress.Parse(ListenIPAddress);

    private static IPAddress? FirstNonLoopbackIPv4() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static void CheckPort(int port, string key)
    {
        if (port is < 1 or > 65535) throw new ConfigurationError($"{key} {port} is not a TCP port; set {Section}__{key} to 1-65535");
    }
}

/// <summary>Configuration the host cannot start with; reported as one line, exit code 2.</summary>
public sealed class ConfigurationError(string message) : Exception(message);
