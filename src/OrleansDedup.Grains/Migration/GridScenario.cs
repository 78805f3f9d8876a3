using OrleansDedup.Abstractions.Migration;
using OrleansDedup.Migration;
using OrleansDedup.Migration.Scenario;

namespace OrleansDedup.Grains.Migration;

/// <summary>
/// Runs a load-balancing scenario on the grid instead of the pure model: host h of the scenario is host grain
/// <see cref="HostName"/>(h), configured with its CloudSim type and placed on the silo that claims it; the balancer's
/// decisions (from the seed alone, the same as <see cref="ScenarioRunner"/>'s) become one wave of real migrations per
/// step, in which the VMs' disks (images of the catalog) really move into the destinations' caches.
/// </summary>
/// <remarks>VMs of one type share a base image: VM type t's disk is <c>images[t % images.Count]</c>. Hosts start with empty
/// caches, so the first VM of a family a host receives sends the image's unique chunks and later ones send little.</remarks>
public static class GridScenario
{
    public static string HostName(int host) => $"host-{host}";

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
        var reports = new List<VmMigrationReport>();
        foreach (var step in placement.Migrations.GroupBy(m => m.Step).OrderBy(g => g.Key))
            reports.AddRange(await grains.GetGrain<IMigrationWaveGrain>(0).Migrate(step.Select(m => Request(spec, m, images)).ToArray()));
        return reports;
    }

    private static VmMigrationRequest Request(ScenarioSpec spec, MigrationDecision m, IReadOnlyList<string> images)
    {
        var typeIndex = CloudSimCatalog.VmTypeIndexOf(m.Vm, spec.Vms);
        var ram = (long)(CloudSimCatalog.Vms[typeIndex].RamMb * 1e6);
        // The scenario's dirty model at the VM's utilisation of the step (DirtySpec.For, as the grid's message).
        var rate = m.Utilisation * spec.Dirty.MaxMbPerSecond * 1e6;
        var dirty = spec.Dirty.Kind == "constant"
            ? new DirtyModelSpec(DirtyModelKind.Constant, rate)
            : new DirtyModelSpec(DirtyModelKind.WritableWorkingSet, rate, (long)(spec.Dirty.WorkingSetShare * ram), rate * spec.Dirty.ColdShare);
        return new VmMigrationRequest($"vm-{m.Vm}", HostName(m.Source), HostName(m.Destination), ram, dirty,
            spec.SharedStorage ? [] : [images[typeIndex % images.Count]], SharedStorage: spec.SharedStorage,
            PostCopy: spec.Mode == "postcopy", BandwidthShare: spec.MigrationBandwidthShare, DowntimeLimitSeconds: spec.DowntimeLimitSeconds,
            SetupSeconds: spec.SetupSeconds, ResumeSeconds: spec.ResumeSeconds, DeviceStateBytes: (long)(spec.DeviceStateMb * 1e6));
    }
}
