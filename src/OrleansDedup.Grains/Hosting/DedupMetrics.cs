using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Storage.Packs;

namespace OrleansDedup.Grains.Hosting;

/// <summary>
/// The grid's own metrics: meter <see cref="MeterName"/>, one instance per silo (a singleton of its container).
/// Instrument names are chosen so that the OpenTelemetry Prometheus exporter yields the Prometheus names in the
/// comments (unit suffix added from the unit, <c>_total</c> for counters), e.g. <c>orleans_dedup_ingested_bytes_total</c>.
/// Hot paths record once per batch or segment, never per chunk.
/// <para>Dedup rate is not an instrument: it is derived from the counters,
/// <c>1 - sum(rate(orleans_dedup_stored_bytes_total)) / sum(rate(orleans_dedup_ingested_bytes_total))</c>, and ingest
/// throughput is <c>rate(orleans_dedup_ingested_bytes_total)</c>. Store size is the same on every silo of a cluster
/// (they share one volume): aggregate it with max(), not sum().</para>
/// </summary>
public sealed class DedupMetrics : IDisposable
{
    public const string MeterName = "OrleansDedup";

    /// <summary>Buckets for latencies in seconds, from 1 ms (an index batch) to 10 min (a 1 GiB segment on a slow disk).</summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    /// <summary>Buckets for migrations: seconds of downtime up to hours of copying.</summary>
    private static readonly double[] MigrationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400];

    private long _shardMoves;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<int, Func<long>> _shards = new();

    private readonly Counter<long> _ingestedBytes;
    private readonly Counter<long> _storedBytes;
    private readonly Counter<long> _newBytes;
    private readonly Counter<long> _chunks;
    private readonly Histogram<double> _segmentDuration;
    private readonly Counter<long> _segments;
    private readonly Histogram<double> _indexBatchDuration;
    private readonly Counter<long> _ingests;
    private readonly Counter<long> _gcReclaimedBytes;
    private readonly Counter<long> _gcRuns;
    private readonly Counter<long> _migrationBytes;
    private readonly Histogram<double> _migrationDuration;
    private readonly Histogram<double> _migrationDowntime;

    /// <param name="meters">The host's meter factory, if it has one; else the meter is created and owned here.</param>
    /// <param name="store">The chunk store whose pack bytes <c>orleans_dedup_store_size_bytes</c> reports; none: no such gauge.</param>
    public DedupMetrics(IMeterFactory? meters = null, ChunkStore? store = null)
    {
        _ownsMeter = meters is null;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);

        // orleans_dedup_ingested_bytes_total: image bytes processed by segments (zero runs and holes included).
        _ingestedBytes = _meter.CreateCounter<long>("orleans_dedup_ingested", "By", "Image bytes processed by ingests (zero runs and holes included)");
        // orleans_dedup_stored_bytes_total: bytes written to packs for chunks no index knew, compressed, frame heads included.
        _storedBytes = _meter.CreateCounter<long>("orleans_dedup_stored", "By", "Bytes ingests wrote to the packs for new chunks (compressed, frame heads included)");
        // orleans_dedup_new_bytes_total: the same chunks' raw bytes; new / stored is the compression ratio.
        _newBytes = _meter.CreateCounter<long>("orleans_dedup_new", "By", "Raw bytes of the new chunks ingests stored, before compression");
        // orleans_dedup_chunks_total{kind="zero|duplicate|new"}: fixed blocks or content-defined chunks by what became of them.
        _chunks = _meter.CreateCounter<long>("orleans_dedup_chunks", "{chunk}", "Blocks and chunks ingested, by kind: zero, duplicate or new");
        // orleans_dedup_segment_duration_seconds: one segment's deduplication, read to recipe written.
        _segmentDuration = _meter.CreateHistogram("orleans_dedup_segment_duration", "s", "Time to deduplicate one segment",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        // orleans_dedup_segments_total{outcome="succeeded|failed"}
        _segments = _meter.CreateCounter<long>("orleans_dedup_segments", "{segment}", "Segments processed on this silo, by outcome");
        // orleans_dedup_index_batch_duration_seconds{operation="claim|await_claims|insert|resolve"}: one scatter over the shards.
        _indexBatchDuration = _meter.CreateHistogram("orleans_dedup_index_batch_duration", "s", "Time of one batch call scattered over the index shards",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        // orleans_dedup_ingests_total{outcome="succeeded|failed|cancelled"}: whole images, counted on the silo of the image grain.
        _ingests = _meter.CreateCounter<long>("orleans_dedup_ingests", "{ingest}", "Image ingests finished, by outcome");
        // orleans_dedup_gc_reclaimed_bytes_total and orleans_dedup_gc_runs_total
        _gcReclaimedBytes = _meter.CreateCounter<long>("orleans_dedup_gc_reclaimed", "By", "Pack bytes reclaimed by garbage collection");
        _gcRuns = _meter.CreateCounter<long>("orleans_dedup_gc_runs", "{run}", "Garbage collections run");

        // orleans_dedup_index_entries{shard="N"}: entries (chunks and aliases) of the shards active on this silo.
        _meter.CreateObservableGauge("orleans_dedup_index_entries", ObserveShards, "{entry}", "Entries of each index shard active on this silo");
        // orleans_dedup_index_shard_moves_total: shards that moved onto this silo with their state intact (a silo joined,
        // or one shut down gracefully); 0 until the first, so that the series exists from the start.
        _meter.CreateObservableCounter("orleans_dedup_index_shard_moves", () => Volatile.Read(ref _shardMoves), "{move}",
            "Index shards handed over to this silo by another, journal flushed and epoch kept");
        // orleans_dedup_store_size_bytes: pack bytes on the shared volume (the same on every silo).
        if (store is not null)
            _meter.CreateObservableGauge("orleans_dedup_store_size", () => store.TotalBytes(), "By", "Bytes of all pack files in the store");

        // Migrations, recorded by the migration grains when they price a migration (once per migration).
        // orleans_dedup_migration_bytes_total{class="memory|disk|metadata"}: bytes that crossed the wire, by class.
        _migrationBytes = _meter.CreateCounter<long>("orleans_dedup_migration", "By", "Bytes sent by VM migrations, by class: memory, disk or metadata");
        // orleans_dedup_migration_duration_seconds
        _migrationDuration = _meter.CreateHistogram("orleans_dedup_migration_duration", "s", "Total time of a migration",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MigrationBuckets });
        // orleans_dedup_migration_downtime_seconds
        _migrationDowntime = _meter.CreateHistogram("orleans_dedup_migration_downtime", "s", "Time a migrated VM was stopped (stop-and-copy phase)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MigrationBuckets });
    }

    /// <summary>The meter all these instruments belong to (for further instruments of the grid, and for tests).</summary>
    public Meter Meter => _meter;

    /// <summary>Starts measuring one segment: report its cumulative statistics after each batch, then complete it.</summary>
    public SegmentMeter StartSegment() => new(this);

    /// <summary>One scatter call over the index shards took <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/>
    /// timestamp) until now.</summary>
    public void IndexBatch(string operation, long startTimestamp) =>
        _indexBatchDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    public void IngestFinished(string outcome) => _ingests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void GcFinished(long reclaimedBytes)
    {
        _gcRuns.Add(1);
        _gcReclaimedBytes.Add(Math.Max(0, reclaimedBytes));
    }

    /// <summary>One migration was priced: the bytes it sent by class (the time model's, so fractional bytes are rounded),
    /// its total time and its downtime in seconds. Every class is recorded, zero included, so each has a series.</summary>
    public void MigrationFinished(double memoryBytes, double diskBytes, double metadataBytes, double seconds, double downtimeSeconds)
    {
        _migrationBytes.Add((long)Math.Round(memoryBytes), new KeyValuePair<string, object?>("class", "memory"));
        _migrationBytes.Add((long)Math.Round(diskBytes), new KeyValuePair<string, object?>("class", "disk"));
        _migrationBytes.Add((long)Math.Round(metadataBytes), new KeyValuePair<string, object?>("class", "metadata"));
        _migrationDuration.Record(seconds);
        _migrationDowntime.Record(downtimeSeconds);
    }

    /// <summary>An index shard activated on this silo reports its entry count until <see cref="UntrackShard"/>.</summary>
    public void TrackShard(int shard, Func<long> entries) => _shards[shard] = entries;

    public void UntrackShard(int shard) => _shards.TryRemove(shard, out _);

    public void ShardMovedIn() => Interlocked.Increment(ref _shardMoves);

    private IEnumerable<Measurement<long>> ObserveShards()
    {
        foreach (var (shard, entries) in _shards)
            yield return new Measurement<long>(entries(), new KeyValuePair<string, object?>("shard", shard.ToString()));
    }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }

    /// <summary>Measures one segment: <see cref="Report"/> after each batch records what changed since the last report.</summary>
    public sealed class SegmentMeter
    {
        private static readonly KeyValuePair<string, object?> Zero = new("kind", "zero");
        private static readonly KeyValuePair<string, object?> Duplicate = new("kind", "duplicate");
        private static readonly KeyValuePair<string, object?> New = new("kind", "new");

        private readonly DedupMetrics _metrics;
        private readonly long _started = Stopwatch.GetTimestamp();
        private DedupStats _reported = DedupStats.Empty;
        private int _done;

        internal SegmentMeter(DedupMetrics metrics) => _metrics = metrics;

        /// <summary>Records the growth of the segment's cumulative <paramref name="stats"/> since the previous call.</summary>
        public void Report(DedupStats stats)
        {
            var last = _reported;
            _reported = stats;
            var m = _metrics;
            Add(m._ingestedBytes, stats.ZeroBytes + stats.DuplicateBytes + stats.NewBytes - (last.ZeroBytes + last.DuplicateBytes + last.NewBytes));
            Add(m._storedBytes, stats.StoredChunkBytes - last.StoredChunkBytes);
            Add(m._newBytes, stats.NewBytes - last.NewBytes);
            Add(m._chunks, stats.ZeroChunks - last.ZeroChunks, Zero);
            Add(m._chunks, stats.DuplicateChunks - last.DuplicateChunks, Duplicate);
            Add(m._chunks, stats.NewChunks - last.NewChunks, New);
        }

        /// <summary>Records the segment's latency and outcome (once; later calls are ignored).</summary>
        public void Complete(bool succeeded)
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            var outcome = new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed");
            _metrics._segmentDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, outcome);
            _metrics._segments.Add(1, outcome);
        }

        private static void Add(Counter<long> counter, long delta, KeyValuePair<string, object?> tag = default)
        {
            // Zero deltas are recorded too, so that every kind has a series from the first batch on.
            if (delta < 0) return;
            if (tag.Key is null) counter.Add(delta);
            else counter.Add(delta, tag);
        }
    }
}
