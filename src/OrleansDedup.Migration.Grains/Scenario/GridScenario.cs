using OrleansDedup.Migration.Grains.Contracts;
using OrleansDedup.Migration.Scenario;

namespace OrleansDedup.Migration.Grains.Scenario;

/// <summary>
/// Runs a load-balancing scenario on the grid instead of the pure model: host h of the scenario is host grain
/// <see cref="HostName"/>(h), configured with its CloudSim type and placed on the silo that claims it; the balancer's
/// decisions (from the seed alone, the same as <see cref="ScenarioRunner"/>'s) become one wave of real migrations per
/// step, in which the VMs' disks (images of the catalog) really move into the destinations' caches.
/// </summary>
/// <remarks>VMs of one type share a base image: VM type t's disk is <c>images[t % images.Count]</c>. As in the pure runner, a
/// host starts holding the images of the VMs initially placed on it: before the first step they are moved into its cache
/// by the migration code itself (<see cref="IMigrationCoordinatorGrain.Seed"/>). So a VM sent to a host that holds its
/// image sends no disk chunks, and the first VM of a family a host receives sends the image's unique chunks.</remarks>
public static class GridScenario
{
    public static string HostName(int host) => $"host-{host}";

    public static string VmName(int vm) => $"vm-{vm}";

    public static async Task<IReadOnlyList<VmMigrationReport>> Run(IGrainFactory grains, ScenarioSpec spec, IReadOnlyList<string> images)
    {
        spec.Validate();
        if (!spec.SharedStorage && images.Count == 0) throw new ArgumentException("a scenario whose disks move needs at least one image");
        for (var h = 0; h < spec.Hosts; h++)
        {
            var type = CloudSimCatalog.HostOf(h);
            await grains.GetGrain<IHostGrain>(HostName(h))
                .Configure(new HostCapacity(type.MipsPerCore, type.Cores, (long)(type.RamMb * 1e6), type.BandwidthBytesPerSecond));
        }
        var placement = ScenarioRunner.Balance(spec, ScenarioRunner.Traces(spec));
        // One host's VMs one after another, as in a wave, so that two VMs of one image do not race for its chunks.
        await Task.WhenAll(Enumerable.Range(0, spec.Vms).GroupBy(v => placement.InitialPlacement[v]).Select(async host =>
        {
            foreach (var v in host)
                await grains.GetGrain<IMigrationCoordinatorGrain>(VmName(v)).Seed(new HostSeed(HostName(host.Key), Disks(spec, v, images)));
        }));
        var reports = new List<VmMigrationReport>();
        foreach (var step in placement.Migrations.GroupBy(m => m.Step).OrderBy(g => g.Key))
            reports.AddRange(await grains.GetGrain<IMigrationWaveGrain>(0).Migrate(step.Select(m => Request(spec, m, images)).ToArray()));
        return reports;
    }

    /// <summary>The images of VM <paramref name="vm"/> that move with it: its family's disk, unless storage is shared.</summary>
    public static string[] Disks(ScenarioSpec spec, int vm, IReadOnlyList<string> images) =>
        spec.SharedStorage ? [] : [images[CloudSimCatalog.VmTypeIndexOf(vm, spec.Vms) % images.Count]];

    private static VmMigrationRequest Request(ScenarioSpec spec, MigrationDecision m, IReadOnlyList<string> images)
    {
        var ram = (long)(CloudSimCatalog.Vms[CloudSimCatalog.VmTypeIndexOf(m.Vm, spec.Vms)].RamMb * 1e6);
        // The scenario's dirty model at the VM's utilisation of the step (DirtySpec.For, as the grid's message).
        var rate = m.Utilisation * spec.Dirty.MaxMbPerSecond * 1e6;
        var dirty = spec.Dirty.Kind == "constant"
            ? new DirtyModelSpec(DirtyModelKind.Constant, rate)
            : new DirtyModelSpec(DirtyModelKind.WritableWorkingSet, rate, (long)(spec.Dirty.WorkingSetShare * ram), rate * spec.Dirty.ColdShare);
        return new VmMigrationRequest(VmName(m.Vm), HostName(m.Source), HostName(m.Destination), ram, dirty,
            Disks(spec, m.Vm, images), SharedStorage: spec.SharedStorage,
            PostCopy: spec.Mode == "postcopy", BandwidthShare: spec.MigrationBandwidthShare, DowntimeLimitSeconds: spec.DowntimeLimitSeconds,
            SetupSeconds: spec.SetupSeconds, ResumeSeconds: spec.ResumeSeconds, DeviceStateBytes: (long)(spec.DeviceStateMb * 1e6),
            DiskWriteBytesPerSecond: spec.DiskWriteMbPerSecond * 1e6);
    }
}
