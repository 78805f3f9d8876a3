using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Maintenance;
using OrleansDedup.Chunking;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Grains.Operations;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Tests.Infrastructure;

/// <summary>An in-process dedup grid: a test cluster of real silos sharing one data directory, with the helpers the tests use.</summary>
public sealed class Grid : IAsyncDisposable
{
    public const int SegmentSize = 1 << 20;
    public const int BatchSize = 256 << 10;
    public const int ShardCount = 8;
    public const string ServiceId = "orleans-dedup-tests";

    private Grid(InProcessTestCluster cluster, string dataDirectory, IndexCallLog calls)
    {
        Cluster = cluster;
        DataDirectory = dataDirectory;
        Calls = calls;
    }

    public InProcessTestCluster Cluster { get; }

    public string DataDirectory { get; }

    /// <summary>Every call the silos' index shards received (recorded by an incoming grain call filter).</summary>
    public IndexCallLog Calls { get; }

    public IClusterClient Client => Cluster.Client;

    public ChunkStore Store => Service<ChunkStore>();

    public string IndexDirectory => Path.Combine(DataDirectory, "index");

    /// <summary>Starts a cluster of <paramref name="silos"/> silos on <paramref name="dataDirectory"/>. The service id is
    /// fixed, so a new cluster on the same directory finds the image records of an earlier one. <paramref name="dedup"/>
    /// changes the grid's settings from the tests' <see cref="Options"/>.</summary>
    public static async Task<Grid> StartAsync(string dataDirectory, short silos = 2,
        Action<InProcessTestSiloSpecificOptions, ISiloBuilder>? configure = null, Action<DedupOptions>? dedup = null)
    {
        var calls = new IndexCallLog();
        // The test cluster starts its silos in parallel: on a fresh directory they all create the store together.
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = ServiceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddDedupGrid(settings =>
            {
                Configure(settings, dataDirectory);
                dedup?.Invoke(settings);
            });
            silo.AddIncomingGrainCallFilter(new IndexCallFilter(calls));
            configure?.Invoke(options, silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new Grid(cluster, dataDirectory, calls);
    }

    public static DedupOptions Options(string dataDirectory)
    {
        var options = new DedupOptions();
        Configure(options, dataDirectory);
        return options;
    }

    /// <summary>The tests' settings: small segments and batches, so that small images span several.</summary>
    private static void Configure(DedupOptions options, string dataDirectory)
    {
        options.DataDirectory = dataDirectory;
        options.SegmentSize = SegmentSize;
        options.BatchSize = BatchSize;
        options.ShardCount = ShardCount;
    }

    public T Service<T>(int silo = 0) where T : notnull => Cluster.Silos[silo].ServiceProvider.GetRequiredService<T>();

    public IImageGrain Image(string name) => Client.GetGrain<IImageGrain>(name);

    /// <summary>Starts an ingest and polls it until it is no longer running.</summary>
    public async Task<IngestStatus> Ingest(string name, string path, ChunkingStrategy strategy)
    {
        var status = await Image(name).StartIngest(new IngestRequest(path, strategy));
        return status.State == IngestState.Running ? await WaitForIngest(name) : status;
    }

    /// <summary>Ingests and insists that it succeeded; returns the committed image.</summary>
    public async Task<ImageInfo> IngestOk(string name, string path, ChunkingStrategy strategy)
    {
        var status = await Ingest(name, path, strategy);
        Assert.True(status.State == IngestState.Succeeded, $"ingest of {name} ended {status.State}: {status.ErrorKind} {status.Error}");
        Assert.NotNull(status.Image);
        return status.Image!;
    }

    public async Task<IngestStatus> WaitForIngest(string name, int timeoutSeconds = 60)
    {
        var grain = Image(name);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await grain.GetIngestStatus();
            if (status.State != IngestState.Running) return status;
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
                throw new TimeoutException($"the ingest of {name} still runs after {timeoutSeconds} s ({status.BytesDone}/{status.BytesTotal})");
            await Task.Delay(10);
        }
    }

    /// <summary>Restores an image through the <see cref="ImageRestorer"/> of silo <paramref name="silo"/>.</summary>
    public Task<ImageInfo> Restore(string name, string outputPath, int silo = 0) => Service<ImageRestorer>(silo).Restore(name, outputPath);

    public Task<VerifyReport> Verify(int silo = 0) => Service<StoreVerifier>(silo).Verify();

    public async Task VerifyOk(int silo = 0)
    {
        var report = await Verify(silo);
        Assert.True(report.Ok, "verify found problems:\n" + string.Join("\n", report.Problems));
    }

    /// <summary>Verifies until the store checks out or <paramref name="seconds"/> pass; returns the first report and the last.</summary>
    public async Task<(VerifyReport First, VerifyReport Last)> VerifyEventually(int seconds = 10)
    {
        var first = await Verify();
        var last = first;
        var clock = Stopwatch.StartNew();
        while (!last.Ok && clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(50);
            last = await Verify();
        }
        return (first, last);
    }

    public Task<ShardStats[]> ShardStats() =>
        Task.WhenAll(Enumerable.Range(0, ShardCount).Select(s => Client.GetGrain<IFingerprintIndexGrain>(s).GetStats()));

    public async Task<long> Aliases() => (await ShardStats()).Sum(s => s.Aliases);

    public Task<GcResult> Collect() => Client.GetGrain<IGarbageCollectorGrain>(0).Collect();

    /// <summary>Total bytes of the index journals (snapshots and logs).</summary>
    public long IndexBytes() => Directory.Exists(IndexDirectory)
        ? new DirectoryInfo(IndexDirectory).EnumerateFiles().Sum(f => f.Length)
        : 0;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>One call an index shard received: its method, the calling grain, the shard, and how many fingerprints it carried.</summary>
public readonly record struct IndexCall(string Method, GrainId? Source, long Shard, int Fingerprints);

public sealed class IndexCallLog
{
    private readonly ConcurrentQueue<IndexCall> _calls = new();

    public void Add(IndexCall call) => _calls.Enqueue(call);

    public void Clear() => _calls.Clear();

    public IndexCall[] Snapshot() => _calls.ToArray();
}

/// <summary>Records the calls to <see cref="IFingerprintIndexGrain"/> on the silo it is registered in.</summary>
internal sealed class IndexCallFilter(IndexCallLog log) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IFingerprintIndexGrain))
        {
            var request = context.Request;
            var items = request.GetArgumentCount() > 0
                ? request.GetArgument(0) switch
                {
                    InsertBatch b => b.Entries.Length,
                    Fingerprint[] f => f.Length,
                    _ => 0,
                }
                : 0;
            log.Add(new IndexCall(context.MethodName, context.SourceId, context.TargetId.GetIntegerKey(), items));
        }
        return context.Invoke();
    }
}
