using System.Diagnostics.Metrics;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Observability.Tests;

/// <summary>The grid's instruments in process, through a <see cref="MeterListener"/>.</summary>
public sealed class DedupMetricsTests
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Meter _meter;
        public readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements = [];

        public Recorder(Meter meter)
        {
            _meter = meter;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter)) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (Measurements) Measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        }

        public void Observe() => _listener.RecordObservableInstruments();

        public double Sum(string name, string? tag = null, string? value = null) =>
            Measurements.Where(m => m.Instrument == name && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value))).Sum(m => m.Value);

        public int Count(string name) => Measurements.Count(m => m.Instrument == name);

        public void Dispose() => _listener.Dispose();
    }

    private static Meter MeterOf(DedupMetrics metrics) => metrics.Meter;

    [Fact]
    public void A_segment_records_what_each_batch_added_and_its_latency_once()
    {
        using var metrics = new DedupMetrics();
        using var recorder = new Recorder(MeterOf(metrics));
        var segment = metrics.StartSegment();
        var first = new DedupStats(ZeroChunks: 2, DuplicateChunks: 3, NewChunks: 5, ZeroBytes: 8192, DuplicateBytes: 12288, NewBytes: 20480,
            StoredChunkBytes: 20600, IndexEntriesAdded: 5, RecipeBytes: 0);
        segment.Report(first);
        segment.Report(first + new DedupStats(0, 10, 1, 0, 40960, 4096, 4120, 1, 0));
        segment.Complete(succeeded: true);
        segment.Complete(succeeded: false);

        Assert.Equal(8192 + 12288 + 20480 + 40960 + 4096, recorder.Sum("orleans_dedup_ingested"));
        Assert.Equal(20600 + 4120, recorder.Sum("orleans_dedup_stored"));
        Assert.Equal(2, recorder.Sum("orleans_dedup_chunks", "kind", "zero"));
        Assert.Equal(13, recorder.Sum("orleans_dedup_chunks", "kind", "duplicate"));
        Assert.Equal(6, recorder.Sum("orleans_dedup_chunks", "kind", "new"));
        // Once per batch and kind, never per chunk.
        Assert.Equal(6, recorder.Count("orleans_dedup_chunks"));
        Assert.Equal(1, recorder.Count("orleans_dedup_segment_duration"));
        Assert.Equal(1, recorder.Sum("orleans_dedup_segments", "outcome", "succeeded"));
        Assert.Equal(0, recorder.Sum("orleans_dedup_segments", "outcome", "failed"));
    }

    [Fact]
    public void Shards_report_their_entries_while_tracked()
    {
        using var metrics = new DedupMetrics();
        using var recorder = new Recorder(MeterOf(metrics));
        metrics.TrackShard(3, () => 42);
        metrics.TrackShard(7, () => 5);
        recorder.Observe();
        Assert.Equal(42, recorder.Sum("orleans_dedup_index_entries", "shard", "3"));
        Assert.Equal(5, recorder.Sum("orleans_dedup_index_entries", "shard", "7"));
        metrics.UntrackShard(3);
        recorder.Measurements.Clear();
        recorder.Observe();
        Assert.Equal(1, recorder.Count("orleans_dedup_index_entries"));
        Assert.Equal(5, recorder.Sum("orleans_dedup_index_entries", "shard", "7"));
    }

    [Fact]
    public void Gc_and_migration_instruments_have_the_names_prometheus_shows()
    {
        using var metrics = new DedupMetrics();
        using var recorder = new Recorder(MeterOf(metrics));
        metrics.GcFinished(1000);
        metrics.MigrationFinished(memoryBytes: 100.4, diskBytes: 0, metadataBytes: 7, seconds: 2.5, downtimeSeconds: 0.2);
        Assert.Equal(1000, recorder.Sum("orleans_dedup_gc_reclaimed"));
        Assert.Equal(1, recorder.Sum("orleans_dedup_gc_runs"));
        // The exporter appends the unit: orleans_dedup_migration_bytes_total{class}, _duration_seconds, _downtime_seconds.
        Assert.Equal(100, recorder.Sum("orleans_dedup_migration", "class", "memory"));
        Assert.Equal(7, recorder.Sum("orleans_dedup_migration", "class", "metadata"));
        // A class with no bytes still gets its series.
        Assert.Equal(3, recorder.Count("orleans_dedup_migration"));
        Assert.Equal(2.5, recorder.Sum("orleans_dedup_migration_duration"));
        Assert.Equal(0.2, recorder.Sum("orleans_dedup_migration_downtime"));
    }
}
