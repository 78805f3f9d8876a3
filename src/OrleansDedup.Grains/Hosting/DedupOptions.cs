using OrleansDedup.Chunking;
using OrleansDedup.Storage.Compression;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Hosting;

/// <summary>Grid-wide settings. Shard count and chunking parameters must not change once a store holds data:
/// the store records them at creation (<see cref="StoreManifest"/>) and refuses a mismatch. Bound from configuration by
/// property name (durations as whole seconds under the <c>...Seconds</c> keys); checked by <see cref="DedupOptionsValidator"/>.</summary>
public sealed class DedupOptions
{
    public const int BlockSize = 4096;

    /// <summary>Where packs, index journals, recipes and the catalog database live.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>PostgreSQL connection string for the image catalog's grain storage (a cluster); unset, the catalog is a
    /// SQLite file in the data directory (the embedded default). The schema must exist: see PostgreSqlSchema.</summary>
    public string? CatalogConnectionString { get; set; }

    /// <summary>Whether the catalog is the data directory's SQLite file, having no <see cref="CatalogConnectionString"/>.</summary>
    public bool CatalogOnSqlite => string.IsNullOrWhiteSpace(CatalogConnectionString);

    public int ShardCount { get; set; } = 16;

    /// <summary>Images at least this large are split into segments of this size (the last may be shorter).</summary>
    public long SegmentSize { get; set; } = 1L << 30;

    /// <summary>Bytes a segment reads, fingerprints and sends to the index at a time; bounds memory per segment.</summary>
    public int BatchSize { get; set; } = 8 << 20;

    /// <summary>Segments of one image processed at once; further segments wait (backpressure).</summary>
    public int MaxParallelSegments { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Segments a silo processes at once, of all its ingests together; further segments wait for a slot. Each
    /// holds two batches and up to 16 MiB of frames being compressed; one per core and one more keep the cores busy
    /// while a segment waits on an fsync or the index (on two cores, as fast as six at once, with a sixth less peak
    /// memory).</summary>
    public int MaxSegmentsPerSilo { get; set; } = Math.Max(2, Environment.ProcessorCount) + 1;

    /// <summary>An ingest whose heartbeat is older than this is taken for dead (its silo was lost) by the collector.</summary>
    public TimeSpan IngestHeartbeatExpiry { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><see cref="IngestHeartbeatExpiry"/> as configured: whole seconds.</summary>
    public int IngestHeartbeatExpirySeconds
    {
        get => (int)IngestHeartbeatExpiry.TotalSeconds;
        set => IngestHeartbeatExpiry = TimeSpan.FromSeconds(value);
    }

    /// <summary>How often an index shard checks that it lives on the silo the placement gives it now: after a silo
    /// joins, its share of the shards moves to it within about two such periods.</summary>
    public TimeSpan ShardRebalanceInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><see cref="ShardRebalanceInterval"/> as configured: whole seconds.</summary>
    public int ShardRebalanceSeconds
    {
        get => (int)ShardRebalanceInterval.TotalSeconds;
        set => ShardRebalanceInterval = TimeSpan.FromSeconds(value);
    }

    /// <summary>How new chunks are compressed; unset, a new store takes <see cref="CompressionSettings.Default"/> and an
    /// existing one keeps what it was made with (a different setting for an existing store is refused).</summary>
    public CompressionSettings? Compression { get; set; }

    /// <summary>Raw bytes of neighbouring new chunks compressed together as one frame (a store setting).</summary>
    public int FrameSize { get; set; } = PackSettings.DefaultFrameSize;

    public PackSettings Packs => new(Compression ?? CompressionSettings.Default, FrameSize);

    /// <summary>How long a claim on a new chunk holds off the other ingests that meet it. A live owner inserts the chunk
    /// within one batch's write and flush, and the claims of an owner whose silo the cluster declared dead pass on at
    /// once; past this, a waiting ingest takes a claim over all the same and stores the bytes itself, so that no ingest
    /// waits forever on an owner that died unnoticed.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><see cref="ClaimTimeout"/> as configured: whole seconds.</summary>
    public int ClaimTimeoutSeconds
    {
        get => (int)ClaimTimeout.TotalSeconds;
        set => ClaimTimeout = TimeSpan.FromSeconds(value);
    }

    public int RabinMinSize { get; set; } = 2048;

    public int RabinAverageSize { get; set; } = 8192;

    public int RabinMaxSize { get; set; } = 65536;

    public int RabinWindowSize { get; set; } = 48;

    public RabinOptions Rabin => new()
    {
        MinSize = RabinMinSize,
        AverageSize = RabinAverageSize,
        MaxSize = RabinMaxSize,
        WindowSize = RabinWindowSize,
    };
}
