using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using OrleansDedup.Testing.PostgreSql;

namespace OrleansDedup.Integration.Tests.Infrastructure;

/// <summary>
/// A real cluster per test class: a fresh PostgreSQL database (<c>od_test_&lt;guid&gt;</c>, dropped afterwards), a
/// temporary shared data directory (the chunk store every silo uses), an image root, a test CA, and three silo
/// processes clustered through PostgreSQL with fast failure detection and mutual TLS on every Orleans connection. Set ORLEANS_DEDUP_IT_KEEP=1 to keep the directory
/// (silo logs are in <see cref="LogDirectory"/>).
/// </summary>
public partial class ClusterFixture : IAsyncLifetime
{
    public const int InitialSilos = 3;
    public const int SegmentSize = 8 << 20;
    public const int HeartbeatExpirySeconds = 10;

    /// <summary>OrleansDedupSilo status values in OrleansMembershipTable (Orleans' SiloStatus).</summary>
    public const int StatusActive = 3;
    public const int StatusDead = 6;

    private readonly List<SiloNode> _silos = [];
    private int _nextSilo;
    private ClusterCertificates? _certificates;

    public ClusterFixture()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        Directory = Path.Combine(Path.GetTempPath(), "od-it-" + id);
        ClusterId = "it-cluster-" + id;
        ServiceId = "it-service-" + id;
    }

    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string ImageRoot => Path.Combine(Directory, "images");

    public string OutputDirectory => Path.Combine(Directory, "out");

    public string LogDirectory => Path.Combine(Directory, "logs");

    public string PacksDirectory => Path.Combine(DataDirectory, "packs");

    public string TlsDirectory => Path.Combine(Directory, "tls");

    /// <summary>The cluster's CA and the certificates of its silos and of the CLI.</summary>
    public ClusterCertificates Certificates => _certificates ?? throw new InvalidOperationException("the fixture is not initialized");

    public string ClusterId { get; }

    public string ServiceId { get; }

    public string ApiKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string ConnectionString { get; private set; } = "";

    /// <summary>The connection string the silos use; the test itself always uses <see cref="ConnectionString"/>.</summary>
    public virtual string SiloConnectionString => ConnectionString;

    protected virtual int SiloCount => InitialSilos;

    /// <summary>The silos started and not yet stopped or killed, in start order.</summary>
    public IReadOnlyList<SiloNode> Silos
    {
        get
        {
            lock (_silos) return _silos.Where(s => !s.HasExited).ToArray();
        }
    }

    public virtual async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(DataDirectory);
        System.IO.Directory.CreateDirectory(ImageRoot);
        System.IO.Directory.CreateDirectory(OutputDirectory);
        System.IO.Directory.CreateDirectory(LogDirectory);
        _certificates = new ClusterCertificates(TlsDirectory);
        // Unpooled for the silos too: once the proxy of PostgreSqlOutageTests is cut, no dead pooled connection is
        // left for the next query to fail on.
        ConnectionString = new NpgsqlConnectionStringBuilder(await PostgreSqlTestServer.CreateDatabaseAsync()) { Pooling = false }.ConnectionString;
        await StartSilosAsync(SiloCount);
    }

    /// <summary>Starts <paramref name="count"/> new silos at once and waits until all answer /healthz.</summary>
    public async Task<SiloNode[]> StartSilosAsync(int count)
    {
        var started = Enumerable.Range(0, count).Select(_ => StartSilo()).ToArray();
        await Task.WhenAll(started.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(90))));
        return started;
    }

    public SiloNode StartSilo() => StartSilo(_ => { });

    /// <summary>Starts a silo whose environment <paramref name="adjust"/> may change first (it does not wait).</summary>
    public SiloNode StartSilo(Action<Dictionary<string, string>> adjust)
    {
        var name = $"silo-{Interlocked.Increment(ref _nextSilo)}";
        var environment = Environment(name);
        adjust(environment);
        var silo = SiloNode.Start(name, environment, LogDirectory, ApiKey);
        lock (_silos) _silos.Add(silo);
        return silo;
    }

    public virtual Dictionary<string, string> Environment(string siloName) => new Dictionary<string, string>
    {
        ["OrleansDedup__Clustering"] = "postgresql",
        ["OrleansDedup__ConnectionString"] = SiloConnectionString,
        ["OrleansDedup__ClusterId"] = ClusterId,
        ["OrleansDedup__ServiceId"] = ServiceId,
        ["OrleansDedup__SiloName"] = siloName,
        ["OrleansDedup__AdvertisedIPAddress"] = "127.0.0.1",
        ["OrleansDedup__DataDirectory"] = DataDirectory,
        ["OrleansDedup__ImageRoots__0"] = ImageRoot,
        ["OrleansDedup__ApiKey"] = ApiKey,
        ["OrleansDedup__SegmentSize"] = SegmentSize.ToString(),
        ["OrleansDedup__IngestHeartbeatExpirySeconds"] = HeartbeatExpirySeconds.ToString(),
        ["OrleansDedup__ShardRebalanceSeconds"] = "2",
        // Fast failure detection (all are ClusterMembershipOptions properties in Orleans 10.4.2).
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__Membership__NumProbedSilos"] = "2",
        ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Orleans__Membership__DeathVoteExpirationTimeout"] = "00:00:10",
        ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
        // A killed silo's grains wait out this lease before they activate on a survivor (the default is longer).
        ["OrleansDedup__GrainDirectory__RangeLeaseDuration"] = "00:00:10",
    }.Concat(ClusterCertificates.SiloEnvironment(Certificates.Silo(siloName))).Concat(System.Environment.GetEnvironmentVariable("ORLEANS_DEDUP_IT_VERBOSE") == "1"
        ? new Dictionary<string, string>
        {
            ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
            ["Logging__LogLevel__OrleansDedup"] = "Debug",
        }
        : new Dictionary<string, string>()).ToDictionary();

    /// <summary>Waits until the ingest of <paramref name="image"/> has done some bytes (asked through the silo's HTTP API);
    /// fails if <paramref name="cli"/> ends first.</summary>
    public async Task<long> WaitForIngestProgress(SiloNode silo, string image, Task<CliResult> cli) =>
        (await WaitForRunningIngest(silo, image, cli)).GetProperty("bytesDone").GetInt64();

    /// <summary>As <see cref="WaitForIngestProgress"/>, returning the whole status (with the silo running the ingest).</summary>
    public async Task<JsonElement> WaitForRunningIngest(SiloNode silo, string image, Task<CliResult> cli)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (cli.IsCompleted) Assert.Fail($"the ingest ended before any progress was seen:\n{await cli}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no ingest progress within 60 s");
            using var response = await silo.Http.GetAsync($"/api/images/{image}/ingest");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                if (status.GetProperty("state").GetString() == "running" && status.GetProperty("bytesDone").GetInt64() > 0)
                    return status;
            }
            await Task.Delay(10);
        }
    }

    // ---- images ----

    public string WriteImage(string fileName, long size, int seed, int variant = 0, double changed = 0.03)
    {
        var path = Path.Combine(ImageRoot, fileName);
        DiskImages.Write(path, size, seed, variant, changed);
        return path;
    }

    // ---- membership, from PostgreSQL ----

    /// <summary>The latest membership row of each silo port of this cluster: port to status.</summary>
    public async Task<Dictionary<int, int>> MembershipAsync()
    {
        var rows = await PostgreSqlTestServer.QueryAsync(ConnectionString,
            "SELECT Port, Status, Generation FROM OrleansMembershipTable WHERE DeploymentId = @id ORDER BY Generation",
            ("id", ClusterId));
        var latest = new Dictionary<int, int>();
        foreach (var row in rows) latest[Convert.ToInt32(row[0])] = Convert.ToInt32(row[1]);
        return latest;
    }

    public async Task WaitForStatusAsync(SiloNode silo, int status, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var membership = await MembershipAsync();
            if (membership.TryGetValue(silo.SiloPort, out var current) && current == status) return;
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{silo} did not reach membership status {status} within {limit}; table: " +
                                           string.Join(", ", membership.Select(m => $"{m.Key}={m.Value}")));
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Waits until every running silo sees exactly <paramref name="active"/> active members (via PostgreSQL)
    /// and answers /healthz.</summary>
    public async Task WaitForActiveMembersAsync(int active, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var membership = await MembershipAsync();
            if (membership.Values.Count(s => s == StatusActive) == active) break;
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"expected {active} active silos within {limit}; table: " +
                                           string.Join(", ", membership.Select(m => $"{m.Key}={m.Value}")));
            }

            await Task.Delay(250);
        }
        foreach (var silo in Silos) await silo.WaitHealthyAsync(limit);
    }

    // ---- the store on disk ----

    public long PackFileBytes() => System.IO.Directory.Exists(PacksDirectory)
        ? new DirectoryInfo(PacksDirectory).EnumerateFiles("pack-*.pack").Sum(f => f.Length)
        : 0;

    public string[] PackFiles() => System.IO.Directory.Exists(PacksDirectory)
        ? new DirectoryInfo(PacksDirectory).EnumerateFiles("pack-*.pack").Select(f => $"{f.Name} ({f.Length} bytes)").ToArray()
        : [];

    /// <summary>The last lines of every silo's output, for assertion messages.</summary>
    public string Diagnostics()
    {
        SiloNode[] all;
        lock (_silos) all = _silos.ToArray();
        return string.Join("\n", all.Select(s =>
            $"--- {s}{(s.HasExited ? $" exited {s.ExitCode}" : "")} (log {s.LogPath}):\n" +
            string.Join('\n', s.Tail.Split('\n').TakeLast(25))));
    }

    public virtual async Task DisposeAsync()
    {
        SiloNode[] all;
        lock (_silos) all = _silos.ToArray();
        await Task.WhenAll(all.Select(s => s.DisposeAsync().AsTask()));
        _certificates?.Dispose();
        if (!string.IsNullOrEmpty(ConnectionString)) await PostgreSqlTestServer.DropDatabaseAsync(ConnectionString);
        if (System.Environment.GetEnvironmentVariable("ORLEANS_DEDUP_IT_KEEP") == "1")
        {
            // keep the logs; drop the bulky images and store
            TryDelete(ImageRoot);
            TryDelete(DataDirectory);
            TryDelete(OutputDirectory);
            return;
        }
        TryDelete(Directory);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static async Task<JsonElement> ReadJson(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
