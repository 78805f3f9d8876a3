namespace OrleansDedup.Migration;

public enum MigrationMode { PreCopy, PostCopy }

/// <summary>Why pre-copy stopped iterating.</summary>
public enum StopReason
{
    /// <summary>QEMU's rule: what remains can be sent within the downtime limit. Converged.</summary>
    DowntimeLimit,
    /// <summary>Xen's rule: the round limit was reached (30 by default). Not converged.</summary>
    MaxRounds,
    /// <summary>Xen's rule: memory sent reached a multiple of RAM (3 by default). Not converged.</summary>
    MaxBytesSent,
    /// <summary>Post-copy has no iterative rounds.</summary>
    PostCopy,
}

/// <summary>The VM to migrate, as the time model sees it. Sizes are bytes, rates bytes per second.</summary>
/// <param name="RamBytes">Memory size: V_0 of pre-copy.</param>
/// <param name="Dirty">The guest's dirtying behaviour.</param>
/// <param name="DiskBytes">Size of the VM's disks; ignored with <paramref name="SharedStorage"/>.</param>
/// <param name="SharedStorage">The disks live on storage both hosts see, so they do not move (CloudSim's assumption).</param>
/// <param name="MeasuredDisk">The disk transfer as measured by the grid (new chunk bytes, recipe and markers, and what was
/// saved); when set it replaces <paramref name="DiskBytes"/> run through the disk filter.</param>
/// <param name="DeviceStateBytes">CPU and device state, sent during the downtime in either mode.</param>
/// <param name="DiskWriteRate">Bytes per second the guest writes to its disks while it runs on the source; without
/// shared storage pre-copy sends them again in the next round (as QEMU's drive mirror does), up to the disk size.</param>
public sealed record VmMigrationSpec(
    double RamBytes,
    DirtyPageModel Dirty,
    double DiskBytes = 0,
    bool SharedStorage = true,
    Transfer? MeasuredDisk = null,
    double DeviceStateBytes = 0,
    double DiskWriteRate = 0)
{
    /// <summary>Disk bytes written in <paramref name="seconds"/> that must be sent again; none with shared storage.</summary>
    public double DiskRewritten(double seconds) =>
        SharedStorage ? 0 : Math.Min(DiskWriteRate * seconds, MeasuredDisk?.Logical ?? DiskBytes);
}

/// <summary>Knobs of the migration protocol. Defaults follow QEMU (300 ms downtime limit) and Xen (30 rounds, 3 x RAM).</summary>
/// <param name="SetupSeconds">Reservation on the destination and connection set-up, before the first byte.</param>
/// <param name="ResumeSeconds">Time to resume the VM on the destination after the last byte; part of the downtime.</param>
/// <param name="EnergyAlpha">Joules per byte sent (default 0.512 J/MB, after Liu et al., "Performance and energy modeling
/// for live migration of virtual machines", HPDC 2011: E = 0.512 * V(MB) + 20.165 J).</param>
/// <param name="EnergyBeta">Joules per migration, whatever its size.</param>
/// <param name="FaultRoundTripSeconds">Post-copy: the network round trip of one page fault served by the source.</param>
/// <param name="PageBytes">Post-copy: the size of a faulted page.</param>
public sealed record MigrationOptions(
    MigrationMode Mode = MigrationMode.PreCopy,
    double DowntimeLimitSeconds = 0.3,
    int MaxRounds = 30,
    double MaxSentRamFactor = 3.0,
    double SetupSeconds = 0,
    double ResumeSeconds = 0,
    double EnergyAlpha = 0.512e-6,
    double EnergyBeta = 20.165,
    double FaultRoundTripSeconds = 0.0005,
    double PageBytes = 4096)
{
    public static MigrationOptions Default { get; } = new();

    /// <summary>No set-up, no resume, no energy constant: the assumptions of CloudSim's migration delay.</summary>
    public static MigrationOptions CloudSim { get; } = new(SetupSeconds: 0, ResumeSeconds: 0);
}

/// <summary>One pre-copy round: the logical bytes it covered, what crossed the wire, and how long it took.</summary>
public readonly record struct RoundRecord(int Round, double LogicalBytes, double WireBytes, double Seconds);

/// <summary>The outcome of one migration.</summary>
/// <param name="TotalSeconds">setup + sum of the pre-copy rounds + downtime (stop-and-copy and resume).</param>
/// <param name="DowntimeSeconds">Stop-and-copy of V_n and the device state, plus resume.</param>
/// <param name="Rounds">Iterative pre-copy rounds, the first full pass included, the stop-and-copy not; 0 for post-copy.</param>
/// <param name="Lambda">D / R: a ratio of 1 or more can never converge.</param>
/// <param name="Memory">Memory over all rounds, the stop-and-copy included.</param>
/// <param name="StallSeconds">Post-copy: time the resumed guest waits on pages faulted over the network while they are
/// pushed (it runs, slowed, during the push, so this is inside the total, not added to it); 0 for pre-copy.</param>
public sealed record MigrationResult(
    MigrationMode Mode,
    double TotalSeconds,
    double DowntimeSeconds,
    int Rounds,
    bool Converged,
    StopReason Stop,
    double Lambda,
    Transfer Memory,
    Transfer Disk,
    double DeviceStateBytes,
    double EnergyJoules,
    IReadOnlyList<RoundRecord> RoundLog,
    double StallSeconds = 0)
{
    /// <summary>Every byte that crossed the wire.</summary>
    public double BytesSent => Memory.Wire + Disk.Wire + DeviceStateBytes;

    /// <summary>Memory page payload plus CPU and device state.</summary>
    public double MemoryBytes => Memory.Payload + DeviceStateBytes;

    public double DiskBytes => Disk.Payload;

    /// <summary>Markers, fingerprint references and recipes.</summary>
    public double MetadataBytes => Memory.Metadata + Disk.Metadata;

    public double SavedZero => Memory.SavedZero + Disk.SavedZero;

    public double SavedDedup => Memory.SavedDedup + Disk.SavedDedup;

    public double SavedPresent => Memory.SavedPresent + Disk.SavedPresent;
}

/// <summary>
/// The closed-form live-migration model. Pre-copy (Clark et al.; Akoush et al.): lambda = D / R; round 0 sends
/// V_0 = RAM (and the disks unless storage is shared), taking T_0 = wire(V_0) / R; round i sends the V_i = D * T_(i-1)
/// bytes dirtied meanwhile (capped by the dirty-page model), taking T_i = wire(V_i) / R. It stops when what remains fits
/// the downtime limit (QEMU: wire(V_n) &lt;= R * limit) or by Xen's rule (30 rounds, or 3 x RAM of memory handled), then
/// stops the VM and sends V_n with the device state: downtime = (wire(V_n) + state) / R + resume, and
/// total = setup + sum T_i + downtime (the resume time is counted once, inside the downtime).
/// </summary>
/// <remarks>
/// Every round's bytes pass through the <see cref="DedupFilter"/>: zero pages become markers, pages the destination holds
/// become references, only new pages carry their bytes; wire bytes, not logical bytes, decide both the round times and the
/// QEMU stop test (the downtime is what the wire takes). Xen's 3 x RAM budget counts logical memory bytes (pages handled),
/// so deduplication does not buy extra rounds. Without shared storage the disks go in round 0, and what the guest writes
/// to them meanwhile joins the next round beside the dirty pages (through the disk filter, as re-dirtied data), and the
/// stop-and-copy: lambda is then (D + disk write rate) / R. The rate R is constant for the whole migration: a share of
/// the link fixed by <see cref="MaxMinFairShare"/>.
/// </remarks>
public static class MigrationModel
{
    public static MigrationResult Simulate(VmMigrationSpec vm, double bandwidth, DedupFilter memoryFilter, DedupFilter diskFilter,
        MigrationOptions? options = null)
    {
        options ??= MigrationOptions.Default;
        if (!(bandwidth > 0) || double.IsInfinity(bandwidth)) throw new ArgumentException("The bandwidth must be positive and finite.", nameof(bandwidth));
        if (vm.RamBytes < 0 || vm.DiskBytes < 0 || vm.DeviceStateBytes < 0 || vm.DiskWriteRate < 0)
            throw new ArgumentException("Sizes and rates must not be negative.", nameof(vm));
        memoryFilter.Validate();
        diskFilter.Validate();
        var disk = vm.SharedStorage ? Transfer.Empty : vm.MeasuredDisk ?? diskFilter.Apply(vm.DiskBytes, redirtied: false);
        var lambda = (vm.Dirty.Rate + (vm.SharedStorage ? 0 : vm.DiskWriteRate)) / bandwidth;
        return options.Mode == MigrationMode.PostCopy
            ? PostCopy(vm, bandwidth, memoryFilter, disk, lambda, options)
            : PreCopy(vm, bandwidth, memoryFilter, diskFilter, disk, lambda, options);
    }

    private static MigrationResult PreCopy(VmMigrationSpec vm, double r, DedupFilter filter, DedupFilter diskFilter, Transfer disk,
        double lambda, MigrationOptions o)
    {
        var log = new List<RoundRecord>();
        var first = filter.Apply(vm.RamBytes, redirtied: false);
        var t = (first.Wire + disk.Wire) / r;
        log.Add(new RoundRecord(0, vm.RamBytes + disk.Logical, first.Wire + disk.Wire, t));
        var memory = first;
        var handled = vm.RamBytes;
        var seconds = t;
        var remaining = vm.Dirty.Dirtied(t, vm.RamBytes);
        var rewritten = vm.DiskRewritten(t);
        Transfer last, lastDisk;
        StopReason stop;
        while (true)
        {
            last = filter.Apply(remaining, redirtied: true);
            lastDisk = diskFilter.Apply(rewritten, redirtied: true);
            var wire = last.Wire + lastDisk.Wire;
            if (wire <= r * o.DowntimeLimitSeconds) { stop = StopReason.DowntimeLimit; break; }
            if (log.Count >= o.MaxRounds) { stop = StopReason.MaxRounds; break; }
            if (handled >= o.MaxSentRamFactor * vm.RamBytes) { stop = StopReason.MaxBytesSent; break; }
            t = wire / r;
            log.Add(new RoundRecord(log.Count, remaining + rewritten, wire, t));
            memory += last;
            disk += lastDisk;
            handled += remaining;
            seconds += t;
            remaining = vm.Dirty.Dirtied(t, vm.RamBytes);
            rewritten = vm.DiskRewritten(t);
        }
        memory += last;
        disk += lastDisk;
        var downtime = (last.Wire + lastDisk.Wire + vm.DeviceStateBytes) / r + o.ResumeSeconds;
        var total = o.SetupSeconds + seconds + downtime;
        return Result(MigrationMode.PreCopy, total, downtime, log.Count, stop == StopReason.DowntimeLimit, stop, lambda, memory, disk, vm, o, log);
    }

    /// <summary>Post-copy: the VM stops, its CPU and device state move (the downtime), it resumes on the destination and
    /// every page (and the disks) is then pushed exactly once; no page is sent twice, so it always converges. The guest
    /// writes its disks on the destination by then, so nothing is sent again.</summary>
    /// <remarks>While the push runs, a page the guest writes before the push reaches it faults over the network (after
    /// Hines and Gopalan, VEE 2009): half of those it writes, on average, as the push does not know its order, each
    /// costing a round trip and the page's transfer. A stalled guest writes less, so if it runs a share f of the time it
    /// faults f * D / 2 / page times a second, stalling f * D * c / (2 * page) of each second, with c the cost of one
    /// fault: f = 1 / (1 + D * c / (2 * page)), and the stall is (1 - f) of the push. Reads are not modelled: the
    /// dirty-page model knows only writes.</remarks>
    private static MigrationResult PostCopy(VmMigrationSpec vm, double r, DedupFilter filter, Transfer disk, double lambda, MigrationOptions o)
    {
        var memory = filter.Apply(vm.RamBytes, redirtied: false);
        var downtime = vm.DeviceStateBytes / r + o.ResumeSeconds;
        var push = (memory.Wire + disk.Wire) / r;
        var running = 1 / (1 + vm.Dirty.Rate * (o.FaultRoundTripSeconds + o.PageBytes / r) / (2 * o.PageBytes));
        var log = new[] { new RoundRecord(0, vm.RamBytes + disk.Logical, memory.Wire + disk.Wire, push) };
        return Result(MigrationMode.PostCopy, o.SetupSeconds + downtime + push, downtime, 0, true, StopReason.PostCopy, lambda, memory, disk, vm, o, log)
            with { StallSeconds = push * (1 - running) };
    }

    private static MigrationResult Result(MigrationMode mode, double total, double downtime, int rounds, bool converged, StopReason stop,
        double lambda, Transfer memory, Transfer disk, VmMigrationSpec vm, MigrationOptions o, IReadOnlyList<RoundRecord> log)
    {
        var sent = memory.Wire + disk.Wire + vm.DeviceStateBytes;
        return new MigrationResult(mode, total, downtime, rounds, converged, stop, lambda, memory, disk, vm.DeviceStateBytes,
            o.EnergyAlpha * sent + o.EnergyBeta, log);
    }
}

/// <summary>CloudSim's migration delay, for comparison with the published figures.</summary>
public static class CloudSimReference
{
    /// <summary>CloudSim (PowerDatacenter / PowerVmAllocationPolicyMigrationAbstract) delays a migration by
    /// <c>ram / (bw / (2 * 8000))</c> seconds, with RAM in MB and the host bandwidth in kbit/s: the VM's RAM sent over
    /// half the host's link (the other half serves the VMs), nothing else.</summary>
    public static double MigrationSeconds(double ramMb, double hostBwKbps) => ramMb / (hostBwKbps / (2 * 8000));

    /// <summary>The same migration as input to <see cref="MigrationModel"/>: MB = 10^6 bytes, kbit/s = 125 bytes/s, half the link.</summary>
    public static (VmMigrationSpec Vm, double Bandwidth) AsModelInput(double ramMb, double hostBwKbps) =>
        (new VmMigrationSpec(ramMb * 1e6, DirtyPageModel.None), hostBwKbps * 1000 / 8 / 2);
}
