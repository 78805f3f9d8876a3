namespace OrleansDedup.Migration.Tests;

public class MigrationModelTests
{
    private const double MB = 1e6;

    [Fact]
    public void CloudSimDegenerateCaseIsRamOverHalfTheBandwidth()
    {
        // CloudSim's IqrMu: a 1740 MB VM on a 1 Gbit/s (1,000,000 kbit/s) host: 1740 / (1e6 / 16000) = 27.84 s.
        foreach (var (ram, bw) in new[] { (1740.0, 1_000_000.0), (870, 1_000_000), (613, 100_000), (1740, 100_000) })
        {
            var (vm, rate) = CloudSimReference.AsModelInput(ram, bw);
            var r = MigrationModel.Simulate(vm, rate, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
            var expected = CloudSimReference.MigrationSeconds(ram, bw);
            Assert.Equal(expected, r.TotalSeconds, 9);
            Assert.Equal(ram * MB / (bw * 1000 / 8 / 2), r.TotalSeconds, 9);
            Assert.Equal(0, r.DowntimeSeconds);
            Assert.Equal(1, r.Rounds);
            Assert.True(r.Converged);
            Assert.Equal(ram * MB, r.BytesSent, 3);
        }
        Assert.Equal(27.84, CloudSimReference.MigrationSeconds(1740, 1_000_000), 9);
    }

    [Fact]
    public void PreCopyRoundsFollowTheGeometricSeries()
    {
        // RAM 1000 MB, R = 100 MB/s, D = 10 MB/s (lambda 0.1), limit 300 ms -> 30 MB threshold.
        // T0 = 10 s, V1 = 100 MB (> 30 MB) so T1 = 1 s, V2 = 10 MB <= 30 MB: stop-and-copy 0.1 s.
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(10 * MB));
        var o = new MigrationOptions(SetupSeconds: 1, ResumeSeconds: 0.05);
        var r = MigrationModel.Simulate(vm, 100 * MB, DedupFilter.None, DedupFilter.None, o);
        Assert.Equal(0.1, r.Lambda, 12);
        Assert.Equal(2, r.Rounds);
        Assert.True(r.Converged);
        Assert.Equal(StopReason.DowntimeLimit, r.Stop);
        Assert.Equal([10.0, 1.0], r.RoundLog.Select(x => Math.Round(x.Seconds, 9)));
        Assert.Equal(0.1 + 0.05, r.DowntimeSeconds, 9);
        Assert.Equal(1 + 10 + 1 + 0.1 + 0.05, r.TotalSeconds, 9);
        Assert.Equal(1110 * MB, r.BytesSent, 3);
        Assert.Equal(0.512e-6 * 1110 * MB + 20.165, r.EnergyJoules, 6);
    }

    [Fact]
    public void DiskGoesInTheFirstRoundUnlessStorageIsShared()
    {
        // RAM 1000 MB + disk 1000 MB at 100 MB/s, D = 10 MB/s: T0 = 20 s, V1 = 200 MB, T1 = 2 s, V2 = 20 MB <= 30 MB.
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(10 * MB), DiskBytes: 1000 * MB, SharedStorage: false);
        var r = MigrationModel.Simulate(vm, 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.Equal(20 + 2 + 0.2, r.TotalSeconds, 9);
        Assert.Equal(0.2, r.DowntimeSeconds, 9);
        Assert.Equal(1000 * MB, r.DiskBytes, 3);
        var shared = MigrationModel.Simulate(vm with { SharedStorage = true }, 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.Equal(11.1, shared.TotalSeconds, 9);
        Assert.Equal(0, shared.DiskBytes);
    }

    [Fact]
    public void DiskWritesDuringPreCopyAreSentAgainInTheNextRound()
    {
        // As above, and the guest writes 5 MB/s to its disk: T0 = 20 s; V1 = 200 + 100 MB, T1 = 3 s; V2 = 30 + 15 MB > 30 MB,
        // T2 = 0.45 s; V3 = 4.5 + 2.25 MB <= 30 MB: downtime 0.0675 s.
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(10 * MB), DiskBytes: 1000 * MB, SharedStorage: false, DiskWriteRate: 5 * MB);
        var r = MigrationModel.Simulate(vm, 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.Equal([20.0, 3.0, 0.45], r.RoundLog.Select(x => Math.Round(x.Seconds, 9)));
        Assert.Equal(0.0675, r.DowntimeSeconds, 9);
        Assert.Equal(20 + 3 + 0.45 + 0.0675, r.TotalSeconds, 9);
        Assert.Equal((1000 + 100 + 15 + 2.25) * MB, r.DiskBytes, 3);
        Assert.Equal(0.15, r.Lambda, 9);
        Assert.True(r.Converged);

        // On shared storage the writes stay where they are; a write rate the link cannot drain never converges.
        var shared = MigrationModel.Simulate(vm with { SharedStorage = true }, 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.Equal(11.1, shared.TotalSeconds, 9);
        var flooding = MigrationModel.Simulate(vm with { DiskWriteRate = 95 * MB }, 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.False(flooding.Converged);
        Assert.Equal(StopReason.MaxBytesSent, flooding.Stop); // Xen's 3 x RAM of memory handled comes first
        Assert.Equal(1.05, flooding.Lambda, 9);
    }

    [Fact]
    public void DedupShrinksEveryRoundAndTheStopTestUsesWireBytes()
    {
        // Half of the first pass is zero (markers of 0 bytes here), a quarter duplicate; re-dirtied pages never hit.
        // T0 = 250 MB / 100 MB/s = 2.5 s; V1 = 25 MB -> 25 MB wire <= 30 MB: downtime 0.25 s.
        var filter = new DedupFilter(0.5, 0.25, 0, 0, ZeroMarkerBytes: 0, ReferenceBytes: 0);
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(10 * MB));
        var r = MigrationModel.Simulate(vm, 100 * MB, filter, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.Equal(1, r.Rounds);
        Assert.Equal(2.5 + 0.25, r.TotalSeconds, 9);
        Assert.Equal(0.25, r.DowntimeSeconds, 9);
        Assert.Equal(500 * MB, r.SavedZero, 3);
        Assert.Equal(250 * MB, r.SavedDedup, 3);
        Assert.Equal(275 * MB, r.BytesSent, 3);
    }

    [Fact]
    public void MarkersAndReferencesAreCountedAsMetadata()
    {
        var filter = DedupFilter.Uniform(0.5, 0.5);
        var r = MigrationModel.Simulate(new VmMigrationSpec(4096 * 1000, DirtyPageModel.None), 1e6, filter, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.Equal(500 * 8 + 500 * 40, r.MetadataBytes, 6);
        Assert.Equal(0, r.MemoryBytes, 6);
        Assert.Equal(r.MetadataBytes, r.BytesSent, 6);
    }

    [Fact]
    public void ADirtyRateAboveTheBandwidthDoesNotConvergeAndSaysSo()
    {
        // D = 2 R: every round dirties all of RAM again; Xen's 3 x RAM budget stops it after three full rounds.
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(200 * MB));
        var r = MigrationModel.Simulate(vm, 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.False(r.Converged);
        Assert.Equal(StopReason.MaxBytesSent, r.Stop);
        Assert.Equal(3, r.Rounds);
        Assert.Equal(2, r.Lambda, 12);
        Assert.Equal(10, r.DowntimeSeconds, 9); // the whole RAM is left for the stop-and-copy
        Assert.Equal(40, r.TotalSeconds, 9);
    }

    [Fact]
    public void XensRoundLimitStopsASlowlyConvergingMigration()
    {
        // lambda = 0.95 with a 1 ms limit: 1000 * 0.95^i MB stays above 0.1 MB for far more than 30 rounds.
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(95 * MB));
        var o = new MigrationOptions(DowntimeLimitSeconds: 0.001, MaxSentRamFactor: 1000);
        var r = MigrationModel.Simulate(vm, 100 * MB, DedupFilter.None, DedupFilter.None, o);
        Assert.False(r.Converged);
        Assert.Equal(StopReason.MaxRounds, r.Stop);
        Assert.Equal(30, r.Rounds);
        Assert.Equal(10 * Math.Pow(0.95, 30), r.DowntimeSeconds - o.ResumeSeconds, 6);
        var sum = Enumerable.Range(0, 30).Sum(i => 10 * Math.Pow(0.95, i));
        Assert.Equal(sum + 10 * Math.Pow(0.95, 30), r.TotalSeconds, 6);
    }

    [Fact]
    public void PostCopyDowntimeIsDeviceStateOnlyAndPagesGoOnce()
    {
        var vm = new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(200 * MB), DeviceStateBytes: 2 * MB);
        var o = new MigrationOptions(Mode: MigrationMode.PostCopy, SetupSeconds: 1, ResumeSeconds: 0.05);
        var r = MigrationModel.Simulate(vm, 100 * MB, DedupFilter.None, DedupFilter.None, o);
        Assert.True(r.Converged);
        Assert.Equal(0, r.Rounds);
        Assert.Equal(0.02 + 0.05, r.DowntimeSeconds, 9);
        Assert.Equal(1 + 0.07 + 10, r.TotalSeconds, 9);
        Assert.Equal(1002 * MB, r.BytesSent, 3);
    }

    [Fact]
    public void PostCopyGuestStallsOnNetworkFaultsDuringThePush()
    {
        // Push 10 s at 100 MB/s; D = 10 MB/s, a fault costs 1 ms + 4096 B / 100 MB/s = 1.04096 ms, so the guest runs
        // f = 1 / (1 + 10e6 * 1.04096e-3 / 8192) = 1 / 2.270703 of the time and waits the rest: 5.5961 s of the 10 s.
        var o = new MigrationOptions(Mode: MigrationMode.PostCopy, FaultRoundTripSeconds: 0.001);
        var r = MigrationModel.Simulate(new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(10 * MB)), 100 * MB, DedupFilter.None, DedupFilter.None, o);
        Assert.Equal(10 * (1 - 1 / (1 + 10e6 * (0.001 + 4096 / 100e6) / 8192)), r.StallSeconds, 9);
        Assert.Equal(5.5961, r.StallSeconds, 4);
        Assert.Equal(10, r.TotalSeconds, 9); // the stall is inside the push, not after it

        // An idle guest never faults; pre-copy has no stall.
        Assert.Equal(0, MigrationModel.Simulate(new VmMigrationSpec(1000 * MB, DirtyPageModel.None), 100 * MB, DedupFilter.None, DedupFilter.None, o).StallSeconds);
        Assert.Equal(0, MigrationModel.Simulate(new VmMigrationSpec(1000 * MB, new ConstantDirtyRate(10 * MB)), 100 * MB, DedupFilter.None, DedupFilter.None).StallSeconds);
    }

    [Fact]
    public void WritableWorkingSetSaturates()
    {
        var wws = new WritableWorkingSet(WorkingSetBytes: 50 * MB, HotRate: 100 * MB, ColdRate: 1 * MB);
        Assert.Equal(50 * MB + 10 * MB, wws.Dirtied(10, 1000 * MB), 3);
        Assert.Equal(10 * MB + 0.1 * MB, wws.Dirtied(0.1, 1000 * MB), 3);
        Assert.Equal(1000 * MB, wws.Dirtied(1e6, 1000 * MB), 3);
        // RAM 1000 MB, R 100 MB/s: T0 = 10 s, V1 = 60 MB, T1 = 0.6 s, V2 = 50 + 0.6 = 50.6 MB: the hot set alone exceeds
        // the 30 MB threshold, so rounds of ~0.5 s go on until Xen's 30-round limit (2.5 x RAM handled by then).
        var r = MigrationModel.Simulate(new VmMigrationSpec(1000 * MB, wws), 100 * MB, DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.False(r.Converged);
        Assert.Equal(StopReason.MaxRounds, r.Stop);
        var converging = MigrationModel.Simulate(new VmMigrationSpec(1000 * MB, wws with { WorkingSetBytes = 25 * MB }), 100 * MB,
            DedupFilter.None, DedupFilter.None, MigrationOptions.CloudSim);
        Assert.True(converging.Converged);
        Assert.Equal(2, converging.Rounds); // V1 = 25 + 10 = 35 MB -> T1 = 0.35 s, V2 = 25 + 0.35 = 25.35 MB <= 30 MB
        Assert.Equal(10 + 0.35 + 0.2535, converging.TotalSeconds, 9);
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var vm = new VmMigrationSpec(1000, DirtyPageModel.None);
        Assert.Throws<ArgumentException>(() => MigrationModel.Simulate(vm, 0, DedupFilter.None, DedupFilter.None));
        Assert.Throws<ArgumentException>(() => MigrationModel.Simulate(vm, 1, DedupFilter.Uniform(0.7, 0.7), DedupFilter.None));
    }
}
