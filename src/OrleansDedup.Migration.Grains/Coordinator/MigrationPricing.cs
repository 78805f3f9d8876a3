using OrleansDedup.Grains.Hosting;
using OrleansDedup.Migration.Grains.Contracts;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>
/// Prices migrations whose data has moved: the measured bytes go into <see cref="MigrationModel"/> through
/// <see cref="ConcurrentMigrations"/>, the same code that prices a step of the scenario, so migrations that run together
/// share the hosts' links max-min fairly. Each host has an uplink (as a source) and a downlink (as a destination) of its
/// bandwidth times the largest share among the migrations that use it; each migration takes at most the slower of its two
/// host links times its own share, so a migration alone gets exactly that. Records the migration metrics.
/// </summary>
internal static class MigrationPricing
{
    public static void Validate(VmMigrationRequest request)
    {
        if (request.Source == request.Destination) throw new ArgumentException("a VM cannot migrate to the host it is on");
        if (request.RamBytes < 0 || request.BandwidthShare is <= 0 or > 1) throw new ArgumentException("RAM must be >= 0 and the bandwidth share in (0, 1]");
    }

    public static VmMigrationReport[] Price(IReadOnlyList<(VmMigrationRequest Request, MigrationTransfer Transfer)> migrations, DedupMetrics metrics)
    {
        var links = new Dictionary<(string Host, bool Up), int>();
        var capacities = new List<double>();
        int Link(string host, bool up, double capacity)
        {
            if (!links.TryGetValue((host, up), out var link))
            {
                links[(host, up)] = link = capacities.Count;
                capacities.Add(0);
            }
            capacities[link] = Math.Max(capacities[link], capacity);
            return link;
        }
        var priced = migrations.Select(m =>
        {
            var (request, transfer) = m;
            var share = request.BandwidthShare;
            int[] path =
            [
                Link(request.Source, true, transfer.Source.BandwidthBytesPerSecond * share),
                Link(request.Destination, false, transfer.Destination.BandwidthBytesPerSecond * share),
            ];
            var demand = Math.Min(transfer.Source.BandwidthBytesPerSecond, transfer.Destination.BandwidthBytesPerSecond) * share;
            return new ConcurrentMigration(path, Spec(request, transfer), MemoryFilter(request, transfer.Memory), DedupFilter.None, Options(request), demand);
        }).ToArray();
        var results = ConcurrentMigrations.Simulate(capacities, priced);
        return migrations.Select((m, i) =>
        {
            var (request, transfer) = m;
            var (r, rate) = results[i];
            metrics.MigrationFinished(r.MemoryBytes, r.DiskBytes, r.MetadataBytes, r.TotalSeconds, r.DowntimeSeconds);
            return new VmMigrationReport(request.Vm, request.Source, request.Destination, r.TotalSeconds, r.DowntimeSeconds, r.Rounds, r.Converged,
                r.Stop.ToString(), rate, r.BytesSent, r.MemoryBytes, r.DiskBytes, r.MetadataBytes, r.SavedZero, r.SavedDedup, r.SavedPresent,
                r.EnergyJoules, transfer.Disk, transfer.Memory, r.StallSeconds);
        }).ToArray();
    }

    private static VmMigrationSpec Spec(VmMigrationRequest request, MigrationTransfer transfer)
    {
        var disk = transfer.Disk;
        return new VmMigrationSpec(request.RamBytes, Dirty(request.Dirty), DiskBytes: disk.LogicalBytes, SharedStorage: request.SharedStorage,
            MeasuredDisk: new Transfer(disk.WireChunkBytes, disk.MetadataBytes, disk.ZeroBytes, disk.DedupBytes, disk.PresentBytes,
                disk.ChunkBytes - disk.WireChunkBytes),
            DeviceStateBytes: request.DeviceStateBytes, DiskWriteRate: request.DiskWriteBytesPerSecond);
    }

    /// <summary>With a memory snapshot, its measured zero and shared shares drive the first pass.</summary>
    private static DedupFilter MemoryFilter(VmMigrationRequest request, DataMovement memory) => memory.LogicalBytes <= 0
        ? DedupFilter.None
        : new DedupFilter((double)memory.ZeroBytes / memory.LogicalBytes, (double)(memory.DedupBytes + memory.PresentBytes) / memory.LogicalBytes,
            0, Math.Clamp(request.RedirtiedHitRate, 0, 1));

    private static MigrationOptions Options(VmMigrationRequest request) => new(request.PostCopy ? MigrationMode.PostCopy : MigrationMode.PreCopy,
        request.DowntimeLimitSeconds, SetupSeconds: request.SetupSeconds, ResumeSeconds: request.ResumeSeconds);

    private static DirtyPageModel Dirty(DirtyModelSpec spec) => spec.Kind switch
    {
        DirtyModelKind.Constant => new ConstantDirtyRate(spec.Rate),
        DirtyModelKind.WritableWorkingSet => new WritableWorkingSet(spec.WorkingSetBytes, spec.Rate, spec.ColdRate),
        _ => DirtyPageModel.None,
    };
}
