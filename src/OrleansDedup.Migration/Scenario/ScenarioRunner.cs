namespace OrleansDedup.Migration.Scenario;

/// <summary>A migration the load balancer decided: at which step, which VM, from where to where, and why.</summary>
public sealed record MigrationDecision(int Step, int Vm, int Source, int Destination, double Utilisation, bool Consolidation);

/// <summary>What the load balancer did, independent of how migrations are carried out. The placements give each VM's host
/// before the first step and after the last.</summary>
public sealed record PlacementTrace(
    IReadOnlyList<MigrationDecision> Migrations,
    double HostEnergyJoules,
    double OverloadSeconds,
    double ActiveHostSeconds,
    int[] InitialPlacement,
    int[] FinalPlacement);

/// <summary>One strategy's results over the whole scenario.</summary>
public sealed record StrategyOutcome(
    string Strategy,
    int Migrations,
    double TotalMigrationSeconds,
    double MeanMigrationSeconds,
    double TotalDowntimeSeconds,
    double TotalStallSeconds,
    int NotConverged,
    double BytesSent,
    double MemoryBytes,
    double DiskBytes,
    double MetadataBytes,
    double SavedZero,
    double SavedDedup,
    double SavedPresent,
    double MigrationEnergyJoules,
    double EnergyKWh,
    double SlaViolationSeconds,
    double DiskZeroShare,
    double DiskDuplicateShare,
    bool MeasuredDiskShares,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<MigrationResult> PerMigration);

public sealed record ScenarioReport(string Name, int Seed, int Hosts, int Vms, int Steps, double StepSeconds,
    double HostEnergyKWh, double OverloadSeconds, IReadOnlyList<StrategyOutcome> Strategies);

/// <summary>
/// CloudSim's IqrMmt power-aware load balancing, re-implemented step by step (300 s steps), then every decided
/// migration priced by <see cref="MigrationModel"/> under each dedup strategy.
/// </summary>
/// <remarks>
/// Per step: (1) every VM's demand is its utilisation sample times its MIPS; host energy accrues from the SPECpower model
/// (a host without VMs is switched off, 0 W); a host asked for more than its capacity runs at 100 % and counts as an SLA
/// violation (SLATAH). (2) Overload: IQR of the host's utilisation history, threshold 1 - s * IQR (s = 1.5); with fewer
/// than 12 samples the static threshold 0.7. (3) Minimum migration time selection: from an overloaded host, move the VM
/// with the least RAM (RAM / bandwidth) until it is no longer overloaded. (4) Power-aware best fit decreasing: VMs in
/// decreasing demand, each to the host (not overloaded, not the source) with room in RAM and MIPS that stays below its
/// threshold and whose power rises least (switching a host on costs its full power, so active hosts are preferred).
/// (5) Consolidation: the least utilised hosts are emptied while all their VMs fit elsewhere.
/// The decisions do not depend on how long migrations take (they finish well within a step), so every strategy is
/// priced on the same decisions and the comparison is fair. Concurrent migrations of a step share the hosts' links
/// (uplink of the source, downlink of the destination, each bandwidth x share) max-min fairly, priced by
/// <see cref="ConcurrentMigrations"/>. A VM's disk moves unless storage is shared; a destination that has held a VM of the same family
/// (type) already holds <see cref="ScenarioSpec.FamilyShare"/> of its image. SLA violation time = overload seconds +
/// migration seconds (the VM runs degraded while it migrates, CloudSim's PDM) + downtime.
/// </remarks>
public static class ScenarioRunner
{
    public static ScenarioReport Run(ScenarioSpec spec)
    {
        spec.Validate();
        var traces = Traces(spec);
        var placement = Balance(spec, traces);
        var outcomes = spec.EffectiveStrategies().Select(s => Price(spec, traces, placement, s)).ToArray();
        return new ScenarioReport(spec.Name, spec.Seed, spec.Hosts, spec.Vms, spec.Steps, spec.StepSeconds,
            placement.HostEnergyJoules / 3.6e6, placement.OverloadSeconds, outcomes);
    }

    /// <summary>Utilisation per VM per step, from the seed alone.</summary>
    public static double[][] Traces(ScenarioSpec spec)
    {
        var rng = new Random(spec.Seed);
        var t = spec.Trace;
        var traces = new double[spec.Vms][];
        for (var v = 0; v < spec.Vms; v++)
        {
            var mean = Math.Clamp(t.Mean + (rng.NextDouble() * 2 - 1) * t.Spread, 0, 1);
            var u = mean;
            traces[v] = new double[spec.Steps];
            for (var s = 0; s < spec.Steps; s++)
            {
                u = Math.Clamp(mean + t.Phi * (u - mean) + t.Noise * Normal(rng), 0, 1);
                traces[v][s] = u;
            }
        }
        return traces;
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static PlacementTrace Balance(ScenarioSpec spec, double[][] traces)
    {
        var hosts = Enumerable.Range(0, spec.Hosts).Select(CloudSimCatalog.HostOf).ToArray();
        var vms = Enumerable.Range(0, spec.Vms).Select(i => CloudSimCatalog.Vms[CloudSimCatalog.VmTypeIndexOf(i, spec.Vms)]).ToArray();
        var where = Enumerable.Repeat(-1, spec.Vms).ToArray();
        var history = hosts.Select(_ => new List<double>()).ToArray();
        var decisions = new List<MigrationDecision>();
        double energy = 0, overload = 0, active = 0;

        double Demand(int v, int step) => traces[v][step] * vms[v].Mips;
        double Requested(int h, int step) => Enumerable.Range(0, spec.Vms).Where(v => where[v] == h).Sum(v => Demand(v, step));
        double Ram(int h) => Enumerable.Range(0, spec.Vms).Where(v => where[v] == h).Sum(v => vms[v].RamMb);
        bool Busy(int h) => where.Contains(h);
        double Threshold(int h)
        {
            var samples = history[h];
            if (samples.Count < spec.MinHistory) return spec.FallbackThreshold;
            return 1 - spec.SafetyParameter * Iqr(samples);
        }
        double Power(int h, double requested) => hosts[h].Power.Power(Math.Min(1, requested / hosts[h].TotalMips));

        // Power-aware best fit: the host whose power rises least, among those with room that stay under their threshold.
        int Place(int v, int step, ISet<int> excluded)
        {
            var best = -1;
            var bestIncrease = double.PositiveInfinity;
            for (var h = 0; h < hosts.Length; h++)
            {
                if (excluded.Contains(h)) continue;
                var requested = Requested(h, step);
                var after = requested + Demand(v, step);
                if (Ram(h) + vms[v].RamMb > hosts[h].RamMb || vms[v].Mips > hosts[h].MipsPerCore || after > hosts[h].TotalMips) continue;
                if (after / hosts[h].TotalMips > Threshold(h)) continue;
                var increase = Power(h, after) - (Busy(h) ? Power(h, requested) : 0);
                if (increase < bestIncrease - 1e-12) { best = h; bestIncrease = increase; }
            }
            return best;
        }

        // Initial placement: PABFD of every VM by decreasing demand at step 0 (no thresholds are known yet: 100 %).
        foreach (var v in Enumerable.Range(0, spec.Vms).OrderByDescending(v => Demand(v, 0)).ThenBy(v => v))
        {
            var h = Place(v, 0, new HashSet<int>());
            if (h < 0)
            {
                h = Enumerable.Range(0, hosts.Length).Where(x => Ram(x) + vms[v].RamMb <= hosts[x].RamMb)
                .OrderBy(x => Requested(x, 0) / hosts[x].TotalMips).DefaultIfEmpty(-1).First();
            }

            if (h < 0) throw new ArgumentException($"{spec.Vms} VMs do not fit in the RAM of {spec.Hosts} hosts.");
            where[v] = h;
        }
        var initial = (int[])where.Clone();

        for (var step = 0; step < spec.Steps; step++)
        {
            // (1) run the step: energy, SLA, history.
            for (var h = 0; h < hosts.Length; h++)
            {
                if (!Busy(h)) continue;
                var requested = Requested(h, step);
                var utilisation = Math.Min(1, requested / hosts[h].TotalMips);
                history[h].Add(utilisation);
                energy += hosts[h].Power.Power(utilisation) * spec.StepSeconds;
                active += spec.StepSeconds;
                if (requested > hosts[h].TotalMips + 1e-9) overload += spec.StepSeconds;
            }
            if (step == spec.Steps - 1) break;

            // (2)+(3) overloaded hosts and the VMs they give up (minimum migration time: least RAM first).
            var overloaded = new HashSet<int>();
            var toMigrate = new List<(int Vm, int From)>();
            for (var h = 0; h < hosts.Length; h++)
            {
                if (!Busy(h)) continue;
                var threshold = Threshold(h);
                var requested = Requested(h, step);
                if (requested / hosts[h].TotalMips <= threshold) continue;
                overloaded.Add(h);
                foreach (var v in Enumerable.Range(0, spec.Vms).Where(v => where[v] == h).OrderBy(v => vms[v].RamMb).ThenBy(v => v))
                {
                    if (requested / hosts[h].TotalMips <= threshold) break;
                    toMigrate.Add((v, h));
                    requested -= Demand(v, step);
                }
            }
            foreach (var (v, _) in toMigrate) where[v] = -1;
            var touched = new HashSet<int>(overloaded);
            foreach (var (v, from) in toMigrate.OrderByDescending(m => Demand(m.Vm, step)).ThenBy(m => m.Vm))
            {
                var to = Place(v, step, overloaded);
                if (to < 0) { where[v] = from; continue; } // nowhere to go: it stays.
                where[v] = to;
                touched.Add(to);
                decisions.Add(new MigrationDecision(step + 1, v, from, to, traces[v][step], false));
            }

            // (5) consolidation: empty the least utilised hosts while all their VMs fit on other active hosts.
            var tried = new HashSet<int>(touched);
            while (true)
            {
                var candidate = Enumerable.Range(0, hosts.Length).Where(h => Busy(h) && !tried.Contains(h))
                    .OrderBy(h => Requested(h, step) / hosts[h].TotalMips).ThenBy(h => h).DefaultIfEmpty(-1).First();
                if (candidate < 0) break;
                tried.Add(candidate);
                var residents = Enumerable.Range(0, spec.Vms).Where(v => where[v] == candidate).OrderByDescending(v => Demand(v, step)).ThenBy(v => v).ToArray();
                var excluded = new HashSet<int>(overloaded) { candidate };
                for (var h = 0; h < hosts.Length; h++) if (!Busy(h)) excluded.Add(h); // never switch a host on to switch one off
                var plan = new List<(int Vm, int To)>();
                foreach (var v in residents) where[v] = -1;
                foreach (var v in residents)
                {
                    var to = Place(v, step, excluded);
                    if (to < 0) break;
                    where[v] = to;
                    plan.Add((v, to));
                }
                if (plan.Count < residents.Length)
                {
                    foreach (var v in residents) where[v] = candidate;
                    continue;
                }
                foreach (var (v, to) in plan)
                {
                    touched.Add(to);
                    tried.Add(to);
                    decisions.Add(new MigrationDecision(step + 1, v, candidate, to, traces[v][step], true));
                }
            }
        }
        return new PlacementTrace(decisions, energy, overload, active, initial, where);
    }

    /// <summary>Interquartile range with linear interpolation between order statistics.</summary>
    public static double Iqr(IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var at = q * (sorted.Length - 1);
        var low = (int)Math.Floor(at);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }

    public static StrategyOutcome Price(ScenarioSpec spec, double[][] traces, PlacementTrace placement, StrategySpec strategy)
    {
        var hosts = Enumerable.Range(0, spec.Hosts).Select(CloudSimCatalog.HostOf).ToArray();
        var vms = Enumerable.Range(0, spec.Vms).Select(i => CloudSimCatalog.VmTypeIndexOf(i, spec.Vms)).ToArray();
        var options = new MigrationOptions(
            Mode: spec.Mode == "postcopy" ? MigrationMode.PostCopy : MigrationMode.PreCopy,
            DowntimeLimitSeconds: spec.DowntimeLimitSeconds, MaxRounds: spec.MaxRounds, MaxSentRamFactor: spec.MaxSentRamFactor,
            SetupSeconds: spec.SetupSeconds, ResumeSeconds: spec.ResumeSeconds,
            EnergyAlpha: spec.EnergyAlphaJoulesPerMb / 1e6, EnergyBeta: spec.EnergyBetaJoules);
        var memoryFilter = strategy.MemoryFilter();
        var diskFilter = strategy.DiskFilter();
        // Which image families each host holds: those of the VMs placed on it at the start, then of each VM it receives.
        var holds = hosts.Select(_ => new HashSet<int>()).ToArray();
        for (var v = 0; v < spec.Vms; v++) holds[placement.InitialPlacement[v]].Add(vms[v]);
        var capacities = hosts.Select(h => h.BandwidthBytesPerSecond * spec.MigrationBandwidthShare).Concat(
            hosts.Select(h => h.BandwidthBytesPerSecond * spec.MigrationBandwidthShare)).ToArray();
        var results = new List<MigrationResult>();
        foreach (var batch in placement.Migrations.GroupBy(m => m.Step).OrderBy(g => g.Key))
        {
            var moves = batch.ToArray();
            var specs = moves.Select(m =>
            {
                var type = CloudSimCatalog.Vms[vms[m.Vm]];
                var ram = type.RamMb * 1e6;
                var diskBytes = (spec.DiskMb ?? type.DiskMb) * 1e6;
                Transfer? measured = null;
                if (!spec.SharedStorage && strategy.Dedup && holds[m.Destination].Contains(vms[m.Vm]))
                {
                    var present = diskBytes * spec.FamilyShare;
                    var rest = diskFilter.Apply(diskBytes - present, redirtied: false);
                    measured = rest with { SavedPresent = present, Metadata = rest.Metadata + present / diskFilter.PageSize * diskFilter.ReferenceBytes };
                }
                return new VmMigrationSpec(ram, spec.Dirty.For(m.Utilisation, ram), DiskBytes: diskBytes, SharedStorage: spec.SharedStorage,
                    MeasuredDisk: measured, DeviceStateBytes: spec.DeviceStateMb * 1e6, DiskWriteRate: spec.DiskWriteMbPerSecond * 1e6);
            }).ToArray();
            results.AddRange(ConcurrentMigrations.Simulate(capacities, moves.Select((m, i) =>
                new ConcurrentMigration([m.Source, spec.Hosts + m.Destination], specs[i], memoryFilter, diskFilter, options)).ToArray())
                .Select(p => p.Result));
            foreach (var m in moves) holds[m.Destination].Add(vms[m.Vm]);
        }
        var migrationEnergy = results.Sum(r => r.EnergyJoules);
        var totalTime = results.Sum(r => r.TotalSeconds);
        var downtime = results.Sum(r => r.DowntimeSeconds);
        return new StrategyOutcome(strategy.Name, results.Count, totalTime, results.Count == 0 ? 0 : totalTime / results.Count, downtime,
            results.Sum(r => r.StallSeconds), results.Count(r => !r.Converged), results.Sum(r => r.BytesSent), results.Sum(r => r.MemoryBytes), results.Sum(r => r.DiskBytes),
            results.Sum(r => r.MetadataBytes), results.Sum(r => r.SavedZero), results.Sum(r => r.SavedDedup), results.Sum(r => r.SavedPresent),
            migrationEnergy, (placement.HostEnergyJoules + migrationEnergy) / 3.6e6, placement.OverloadSeconds + totalTime + downtime,
            diskFilter.ZeroFraction, diskFilter.DuplicateFraction, strategy.Measured, results);
    }
}
