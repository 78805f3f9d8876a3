namespace OrleansDedup.Migration;

/// <summary>One of several migrations that run at the same time: the links it crosses (indices into the link
/// capacities), the most it may take (<paramref name="Demand"/>, bytes per second), and how it is priced.</summary>
public sealed record ConcurrentMigration(int[] Links, VmMigrationSpec Vm, DedupFilter MemoryFilter, DedupFilter DiskFilter,
    MigrationOptions Options, double Demand = double.PositiveInfinity);

/// <summary>
/// Prices migrations that start together and share links max-min fairly. Each is first priced at its max-min share with
/// all of them running (<see cref="MaxMinFairShare"/>); the fluid completion of their wire bytes, with the allocation
/// recomputed as each one ends (<see cref="LinkSharing"/>), gives each its average rate, at which it is priced again
/// (never below its first share: a migration only speeds up when others finish). Used by both the scenario runner and the
/// migration grains, so a simulated step and a wave of real migrations are priced by the same rules.
/// </summary>
public static class ConcurrentMigrations
{
    /// <summary>Each migration's result and the rate (bytes per second) it was priced at.</summary>
    public static (MigrationResult Result, double Rate)[] Simulate(IReadOnlyList<double> capacities, IReadOnlyList<ConcurrentMigration> migrations)
    {
        var flows = migrations.Select(m => new Flow(m.Links, m.Demand)).ToArray();
        var shares = MaxMinFairShare.Allocate(capacities, flows);
        for (var i = 0; i < shares.Length; i++)
            if (!(shares[i] > 0)) throw new ArgumentException($"migration {i} gets no bandwidth: one of its links has no capacity.");
        var first = migrations.Select((m, i) => MigrationModel.Simulate(m.Vm, shares[i], m.MemoryFilter, m.DiskFilter, m.Options)).ToArray();
        var finish = LinkSharing.CompletionTimes(capacities,
            first.Select((r, i) => new FlowTransfer(migrations[i].Links, r.BytesSent, Demand: migrations[i].Demand)).ToArray());
        return migrations.Select((m, i) =>
        {
            var rate = Math.Max(finish[i] > 0 ? first[i].BytesSent / finish[i] : shares[i], shares[i]);
            return (MigrationModel.Simulate(m.Vm, rate, m.MemoryFilter, m.DiskFilter, m.Options), rate);
        }).ToArray();
    }
}
