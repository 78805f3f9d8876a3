using OrleansDedup.Grains.Hosting;
using OrleansDedup.Migration.Grains.Contracts;

namespace OrleansDedup.Migration.Grains.Coordinator;

/// <summary>Runs a wave of migrations that start together: each VM's coordinator moves its data, then the wave prices
/// them all at once so that they share the hosts' links max-min fairly (<see cref="MigrationPricing"/>).</summary>
/// <remarks>Migrations to one destination move their data one after another in request order: run at once they would
/// race for the same missing chunks, and which of them sent a chunk (and which found it present) would depend on timing.
/// Different destinations do not interact, so their migrations move in parallel.</remarks>
[StatelessWorker]
public sealed class MigrationWaveGrain(DedupMetrics metrics) : Grain, IMigrationWaveGrain
{
    public async Task<VmMigrationReport[]> Migrate(VmMigrationRequest[] requests)
    {
        if (requests.Length == 0) return [];
        var twice = requests.GroupBy(r => r.Vm).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"VM '{twice.Key}' appears twice in one wave");
        foreach (var request in requests) MigrationPricing.Validate(request);
        var transfers = new MigrationTransfer[requests.Length];
        await Task.WhenAll(Enumerable.Range(0, requests.Length).GroupBy(i => requests[i].Destination).Select(async group =>
        {
            foreach (var i in group)
                transfers[i] = await GrainFactory.GetGrain<IMigrationCoordinatorGrain>(requests[i].Vm).Transfer(requests[i]);
        }));
        return MigrationPricing.Price(requests.Select((r, i) => (r, transfers[i])).ToArray(), metrics);
    }
}
