using System.Buffers.Binary;
using OrleansDedup.Storage.Journal;

namespace OrleansDedup.Storage.Tests;

public sealed class RecordJournalTests : IDisposable
{
    private const string Name = "shard-07";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => Path.Combine(_dir.Path, Name + ".log");

    private string SnapshotPath => Path.Combine(_dir.Path, Name + ".snap");

    /// <summary>Test records are idempotent upserts: [u32 key][u32 value], padded to vary the length.</summary>
    private static byte[] Upsert(uint key, uint value, int padding = 0)
    {
        var record = new byte[8 + padding];
        BinaryPrimitives.WriteUInt32LittleEndian(record, key);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), value);
        return record;
    }

    private static List<byte[]> LoadAll(RecordJournal journal)
    {
        var records = new List<byte[]>();
        journal.Load(record => records.Add(record.ToArray()));
        return records;
    }

    private static Dictionary<uint, uint> Apply(IEnumerable<byte[]> records)
    {
        var state = new Dictionary<uint, uint>();
        foreach (var record in records)
        {
            state[BinaryPrimitives.ReadUInt32LittleEndian(record)] = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4));
        }

        return state;
    }

    private List<byte[]> WriteRecords(int count)
    {
        var records = Enumerable.Range(0, count).Select(i => Upsert((uint)i, (uint)i * 3, i % 50)).ToList();
        using var journal = new RecordJournal(_dir.Path, Name);
        Assert.Empty(LoadAll(journal));
        foreach (var record in records)
        {
            journal.Append(record);
        }

        journal.Flush();
        return records;
    }

    private List<byte[]> Reload()
    {
        using var journal = new RecordJournal(_dir.Path, Name);
        return LoadAll(journal);
    }

    [Fact]
    public void Flushed_records_reload_in_order()
    {
        var records = WriteRecords(5000);
        Assert.Equal(records, Reload());
    }

    [Fact]
    public void Garbage_after_the_last_frame_is_dropped_and_the_journal_stays_appendable()
    {
        var records = WriteRecords(100);
        var logLength = new FileInfo(LogPath).Length;
        File.AppendAllText(LogPath, "torn write \0\0\0 garbage");

        using (var journal = new RecordJournal(_dir.Path, Name))
        {
            Assert.Equal(records, LoadAll(journal));
            Assert.Equal(logLength, journal.LogBytes);
            Assert.Equal(logLength, new FileInfo(LogPath).Length);
            journal.Append(Upsert(1000, 1));
        }

        Assert.Equal([.. records, Upsert(1000, 1)], Reload());
    }

    [Fact]
    public void A_log_cut_inside_a_frame_loses_only_that_frame()
    {
        var records = WriteRecords(100);
        using (var log = new FileStream(LogPath, FileMode.Open))
        {
            log.SetLength(log.Length - 3);
        }

        Assert.Equal(records[..^1], Reload());

        using (var journal = new RecordJournal(_dir.Path, Name))
        {
            LoadAll(journal);
            journal.Append(Upsert(77, 77));
        }

        Assert.Equal([.. records[..^1], Upsert(77, 77)], Reload());
    }

    [Fact]
    public void A_flipped_payload_byte_drops_that_record_and_all_later_ones()
    {
        var records = WriteRecords(10);
        var offsetOfFifth = records.Take(4).Sum(r => r.Length + 8);
        var bytes = File.ReadAllBytes(LogPath);
        bytes[offsetOfFifth + 4 + 2] ^= 0x40;
        File.WriteAllBytes(LogPath, bytes);

        Assert.Equal(records[..4], Reload());
        Assert.Equal(offsetOfFifth, new FileInfo(LogPath).Length);
    }

    [Fact]
    public void Compaction_then_reload_yields_the_snapshot_then_later_appends()
    {
        var live = new Dictionary<uint, uint>();
        using (var journal = new RecordJournal(_dir.Path, Name))
        {
            LoadAll(journal);
            for (uint round = 0; round < 20; round++)
            {
                for (uint key = 0; key < 200; key++)
                {
                    journal.Append(Upsert(key, round));
                    live[key] = round;
                }
            }

            journal.Compact(snapshot =>
            {
                foreach (var (key, value) in live)
                {
                    snapshot.Write(Upsert(key, value));
                }
            });
            Assert.Equal(0, journal.LogBytes);

            journal.Append(Upsert(5, 999));
            journal.Append(Upsert(1000, 1));
            journal.Flush();
        }

        var reloaded = Reload();
        Assert.Equal(live.Select(e => Upsert(e.Key, e.Value)).Append(Upsert(5, 999)).Append(Upsert(1000, 1)), reloaded);
    }

    [Fact]
    public void Compaction_shrinks_the_files()
    {
        using var journal = new RecordJournal(_dir.Path, Name);
        LoadAll(journal);
        for (uint round = 0; round < 50; round++)
        {
            for (uint key = 0; key < 100; key++)
            {
                journal.Append(Upsert(key, round));
            }
        }

        journal.Flush();
        var before = new FileInfo(LogPath).Length;
        Assert.Equal(before, journal.LogBytes);

        journal.Compact(snapshot =>
        {
            for (uint key = 0; key < 100; key++)
            {
                snapshot.Write(Upsert(key, 49));
            }
        });

        var after = new FileInfo(LogPath).Length + new FileInfo(SnapshotPath).Length;
        Assert.Equal(new FileInfo(SnapshotPath).Length, journal.SnapshotBytes);
        Assert.True(after * 10 < before, $"{after} bytes after compaction vs {before} before");
    }

    [Fact]
    public void A_crash_between_snapshot_rename_and_log_truncation_replays_to_the_same_state()
    {
        var records = WriteRecords(300);
        var oldLog = File.ReadAllBytes(LogPath);
        var state = Apply(records);
        using (var journal = new RecordJournal(_dir.Path, Name))
        {
            LoadAll(journal);
            journal.Compact(snapshot =>
            {
                foreach (var (key, value) in state)
                {
                    snapshot.Write(Upsert(key, value));
                }
            });
        }

        File.WriteAllBytes(LogPath, oldLog); // the truncation never happened
        Assert.Equal(state, Apply(Reload()));
    }

    [Fact]
    public void A_failed_compaction_leaves_the_journal_as_it_was()
    {
        var records = WriteRecords(20);
        using (var journal = new RecordJournal(_dir.Path, Name))
        {
            LoadAll(journal);
            Assert.Throws<InvalidOperationException>(() => journal.Compact(snapshot =>
            {
                snapshot.Write(Upsert(1, 1));
                throw new InvalidOperationException("source failed");
            }));
            Assert.False(File.Exists(SnapshotPath + ".tmp"));
            Assert.False(File.Exists(SnapshotPath));
        }

        Assert.Equal(records, Reload());
    }

    [Fact]
    public void A_leftover_temporary_snapshot_is_ignored()
    {
        var records = WriteRecords(20);
        File.WriteAllText(SnapshotPath + ".tmp", "half-written snapshot");
        Assert.Equal(records, Reload());
        Assert.False(File.Exists(SnapshotPath + ".tmp"));
    }

    [Fact]
    public void A_damaged_snapshot_throws()
    {
        using (var journal = new RecordJournal(_dir.Path, Name))
        {
            LoadAll(journal);
            journal.Compact(snapshot =>
            {
                for (uint key = 0; key < 10; key++)
                {
                    snapshot.Write(Upsert(key, key));
                }
            });
        }

        var bytes = File.ReadAllBytes(SnapshotPath);
        bytes[20] ^= 1;
        File.WriteAllBytes(SnapshotPath, bytes);
        Assert.Throws<InvalidDataException>(Reload);

        bytes[20] ^= 1;
        File.WriteAllBytes(SnapshotPath, bytes[..^12]); // whole frames, but the trailer is gone
        Assert.Throws<InvalidDataException>(Reload);
    }

    [Fact]
    public void Writing_before_load_and_a_second_opener_are_refused()
    {
        using var journal = new RecordJournal(_dir.Path, Name);
        Assert.Throws<InvalidOperationException>(() => journal.Append(Upsert(1, 1)));
        Assert.Throws<IOException>(() => new RecordJournal(_dir.Path, Name));
    }
}
