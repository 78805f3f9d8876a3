using System.Text.Json;
using OrleansDedup.Migration.Scenario;

namespace OrleansDedup.Migration.Tests;

public class ScenarioTests
{
    private static ScenarioSpec Small(int seed = 7) => new() { Seed = seed, Hosts = 12, Vms = 16, Steps = 60 };

    [Fact]
    public void PowerModelsMatchCloudSim()
    {
        Assert.Equal(86, SpecPowerModel.HpProLiantMl110G4.Power(0));
        Assert.Equal(117, SpecPowerModel.HpProLiantMl110G4.Power(1));
        Assert.Equal((99.5 + 102) / 2, SpecPowerModel.HpProLiantMl110G4.Power(0.45), 9);
        Assert.Equal(135, SpecPowerModel.HpProLiantMl110G5.Power(1));
        Assert.Equal(new[] { 1860.0, 2660 }, CloudSimCatalog.Hosts.Select(h => h.MipsPerCore));
        Assert.Equal(new[] { 870.0, 1740, 1740, 613 }, CloudSimCatalog.Vms.Select(v => v.RamMb));
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2, 3 }, Enumerable.Range(0, 7).Select(i => CloudSimCatalog.VmTypeIndexOf(i, 7)));
    }

    [Fact]
    public void IqrIsTheInterquartileRange()
    {
        Assert.Equal(0.5, ScenarioRunner.Iqr([0, 0.25, 0.5, 0.75, 1]), 12);
        Assert.Equal(0, ScenarioRunner.Iqr(Enumerable.Repeat(0.3, 12).ToArray()), 12);
    }

    [Fact]
    public void AScenarioIsDeterministicForASeed()
    {
        var a = JsonSerializer.Serialize(ScenarioRunner.Run(Small()));
        var b = JsonSerializer.Serialize(ScenarioRunner.Run(Small()));
        Assert.Equal(a, b);
        var other = JsonSerializer.Serialize(ScenarioRunner.Run(Small(8)));
        Assert.NotEqual(a, other);
    }

    [Fact]
    public void StrategiesSeeTheSameDecisionsAndDedupSendsLess()
    {
        var report = ScenarioRunner.Run(Small());
        Assert.Equal(["none", "fixed", "rabin", "adaptive"], report.Strategies.Select(s => s.Strategy));
        var none = report.Strategies[0];
        Assert.True(none.Migrations > 0, "the scenario should migrate something");
        Assert.All(report.Strategies, s => Assert.Equal(none.Migrations, s.Migrations));
        foreach (var s in report.Strategies.Skip(1))
        {
            Assert.True(s.BytesSent < none.BytesSent, $"{s.Strategy} sent {s.BytesSent}, none {none.BytesSent}");
            Assert.True(s.TotalMigrationSeconds < none.TotalMigrationSeconds);
            Assert.True(s.EnergyKWh < none.EnergyKWh);
            Assert.True(s.SlaViolationSeconds < none.SlaViolationSeconds);
        }
        Assert.Equal(0, none.SavedDedup + none.SavedZero + none.SavedPresent);
    }

    [Fact]
    public void DiskWritesLengthenMigrationsOnlyWithoutSharedStorage()
    {
        var quiet = ScenarioRunner.Run(Small());
        var writing = Small();
        writing.DiskWriteMbPerSecond = 5;
        var busy = ScenarioRunner.Run(writing);
        foreach (var (q, b) in quiet.Strategies.Zip(busy.Strategies))
        {
            Assert.Equal(q.Migrations, b.Migrations);
            Assert.True(b.BytesSent > q.BytesSent && b.TotalMigrationSeconds > q.TotalMigrationSeconds,
                $"{b.Strategy}: {b.BytesSent} bytes in {b.TotalMigrationSeconds} s with disk writes, {q.BytesSent} in {q.TotalMigrationSeconds} s without");
        }

        var shared = Small();
        shared.SharedStorage = true;
        var sharedWriting = Small();
        sharedWriting.SharedStorage = true;
        sharedWriting.DiskWriteMbPerSecond = 5;
        Assert.Equal(JsonSerializer.Serialize(ScenarioRunner.Run(shared)), JsonSerializer.Serialize(ScenarioRunner.Run(sharedWriting)));
    }

    [Fact]
    public void PostCopyReportsFaultStallsAndPreCopyNone()
    {
        Assert.All(ScenarioRunner.Run(Small()).Strategies, s => Assert.Equal(0, s.TotalStallSeconds));
        var postCopy = Small();
        postCopy.Mode = "postcopy";
        var report = ScenarioRunner.Run(postCopy);
        Assert.All(report.Strategies, s => Assert.InRange(s.TotalStallSeconds, double.Epsilon, s.TotalMigrationSeconds));
        Assert.All(report.Strategies, s => Assert.Equal(0, s.NotConverged));
    }

    [Fact]
    public void TheBalancerNeverOverfillsHostRam()
    {
        var spec = Small(3);
        var placement = ScenarioRunner.Balance(spec, ScenarioRunner.Traces(spec));
        var used = new double[spec.Hosts];
        for (var v = 0; v < spec.Vms; v++) used[placement.FinalPlacement[v]] += CloudSimCatalog.Vms[CloudSimCatalog.VmTypeIndexOf(v, spec.Vms)].RamMb;
        Assert.All(Enumerable.Range(0, spec.Hosts), h => Assert.True(used[h] <= CloudSimCatalog.HostOf(h).RamMb));
        Assert.All(placement.Migrations, m => Assert.NotEqual(m.Source, m.Destination));
    }

    [Fact]
    public void TheMigrationsLeadFromTheInitialPlacementToTheFinalOne()
    {
        var spec = Small(3);
        var placement = ScenarioRunner.Balance(spec, ScenarioRunner.Traces(spec));
        Assert.NotEmpty(placement.Migrations);
        var where = (int[])placement.InitialPlacement.Clone();
        foreach (var m in placement.Migrations)
        {
            Assert.Equal(m.Source, where[m.Vm]);
            where[m.Vm] = m.Destination;
        }
        Assert.Equal(placement.FinalPlacement, where);
    }

    [Fact]
    public void YamlAndJsonFilesParse()
    {
        var yaml = """
            seed: 5
            hosts: 4
            vms: 6
            steps: 20
            mode: postcopy
            dirty: { kind: constant, maxMbPerSecond: 10 }
            strategies:
              - { name: none, dedup: false }
              - { name: adaptive, dedupRate: 60, diskZero: 0.2, memoryZero: 0.1 }
            """;
        var spec = ScenarioSpec.Parse(yaml, "s.yaml");
        Assert.Equal(5, spec.Seed);
        Assert.Equal("postcopy", spec.Mode);
        Assert.Equal(0.4, spec.Strategies[1].DiskFilter().DuplicateFraction, 12);
        var json = ScenarioSpec.Parse("""{ "seed": 5, "hosts": 4, "vms": 6, "steps": 20, "strategies": [ { "name": "a" } ] }""", "s.json");
        Assert.Equal(4, json.Hosts);
        Assert.Throws<FormatException>(() => ScenarioSpec.Parse("{ \"sed\": 5 }", "bad.json"));
        Assert.Throws<ArgumentException>(() => ScenarioSpec.Parse("hosts: 0", "bad.yaml"));
        var report = ScenarioRunner.Run(spec);
        Assert.All(report.Strategies.SelectMany(s => s.PerMigration), r => Assert.Equal(MigrationMode.PostCopy, r.Mode));
    }
}

public class ShippedScenarioTests
{
    [Fact]
    public void TheShippedScenarioParsesAndMatchesTheDefaults()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "../../../../../src/OrleansDedup.Migration/Scenarios/iqr-mmt.yaml");
        var spec = ScenarioSpec.Load(path);
        Assert.Equal(50, spec.Hosts);
        Assert.Equal(288, spec.Steps);
        Assert.Equal(["none", "fixed", "rabin", "adaptive"], spec.Strategies.Select(s => s.Name));
        Assert.Equal(StrategySpec.Defaults().Select(s => s.DiskFilter()), spec.Strategies.Select(s => s.DiskFilter()));
        Assert.Empty(spec.Images);
    }

    [Fact]
    public void ImagesResolveAgainstTheScenarioFileAndOnlyAMeasurementMarksSharesMeasured()
    {
        var directory = Directory.CreateTempSubdirectory("scenario-");
        try
        {
            var path = Path.Combine(directory.FullName, "s.yaml");
            File.WriteAllText(path, "images: [a.raw, /abs/b.raw]\nstrategies: [ { name: fixed, diskZero: 0.1, diskDuplicate: 0.2 } ]");
            var spec = ScenarioSpec.Load(path);
            Assert.Equal([Path.Combine(directory.FullName, "a.raw"), "/abs/b.raw"], spec.Images);
            var fixedStrategy = spec.Strategies.Single();
            Assert.False(fixedStrategy.Measured);
            fixedStrategy.Measure(0.3, 0.4);
            Assert.True(fixedStrategy.Measured);
            Assert.Equal(DedupFilter.Uniform(0.3, 0.4), fixedStrategy.DiskFilter());
            var outcome = ScenarioRunner.Run(spec).Strategies.Single();
            Assert.True(outcome.MeasuredDiskShares);
            Assert.Equal((0.3, 0.4), (outcome.DiskZeroShare, outcome.DiskDuplicateShare));
            // A file cannot claim measured shares: YAML refuses the key, JSON ignores it.
            Assert.Throws<FormatException>(() => ScenarioSpec.Parse("strategies: [ { name: fixed, measured: true } ]", "s.yaml"));
            Assert.False(ScenarioSpec.Parse("""{ "strategies": [ { "name": "fixed", "measured": true } ] }""", "s.json").Strategies.Single().Measured);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
