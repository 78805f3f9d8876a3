using OrleansDedup.Migration.Grains.Contracts;

namespace OrleansDedup.Migration.Grains.Tests.Infrastructure;

/// <summary>Per test, a three-silo grid on a fresh directory in which each silo models one host ("host-of-SILO"), with
/// the capacity and the VM the migration tests configure and move.</summary>
public abstract class ThreeHostGrid : IAsyncLifetime
{
    protected const long Ram = 512L << 20;
    protected static readonly HostCapacity Capacity = new(2660, 2, 4L << 30, 125_000_000);

    protected TempDirectory Temp { get; } = new("odmig");

    protected MigrationGrid Grid { get; private set; } = null!;

    public async Task InitializeAsync() => Grid = await MigrationGrid.StartAsync(Temp.Data, 3, silo => [HostOf(silo)]);

    public async Task DisposeAsync()
    {
        await Grid.DisposeAsync();
        Temp.Dispose();
    }

    protected static string HostOf(string silo) => $"host-of-{silo}";

    protected string Host(int silo) => HostOf(Grid.Cluster.Silos[silo].Name);

    protected async Task<IHostGrain> Configured(string host)
    {
        var grain = Grid.Client.GetGrain<IHostGrain>(host);
        await grain.Configure(Capacity);
        return grain;
    }

    protected Task<VmMigrationReport> Migrate(string vm, string from, string to, params string[] disks) =>
        Grid.Client.GetGrain<IMigrationCoordinatorGrain>(vm).Migrate(Request(vm, from, to, Ram, disks));

    protected static VmMigrationRequest Request(string vm, string from, string to, long ram, params string[] disks) =>
        new(vm, from, to, ram, DirtyModelSpec.None, disks);
}
