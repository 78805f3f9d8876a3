using System.Text.Json;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OrleansDedup.Migration.Scenario;

/// <summary>
/// A load-balancing scenario, as read from a small YAML or JSON file (camelCase keys; every key optional):
/// <code>
/// seed: 42
/// hosts: 50
/// vms: 50
/// steps: 288            # 300 s steps: one day
/// mode: precopy         # or postcopy
/// sharedStorage: false  # true: disks never move (CloudSim)
/// dirty: { kind: wws, maxMbPerSecond: 40, workingSetShare: 0.1, coldShare: 0.1 }
/// strategies:
///   - { name: none }
///   - { name: adaptive, diskDuplicate: 0.55, memoryZero: 0.2, memoryDuplicate: 0.1 }
/// images: [ a.raw, b.raw ]   # measured disk shares: see <see cref="Images"/>
/// </code>
/// </summary>
public sealed class ScenarioSpec
{
    public string Name { get; set; } = "iqr-mmt";
    public int Seed { get; set; } = 42;
    public int Hosts { get; set; } = 50;
    public int Vms { get; set; } = 50;
    public int Steps { get; set; } = 288;
    public double StepSeconds { get; set; } = 300;

    /// <summary>IQR safety parameter s: a host is overloaded above 1 - s * IQR of its utilisation history.</summary>
    public double SafetyParameter { get; set; } = 1.5;

    /// <summary>Utilisation samples IQR needs; with fewer, CloudSim falls back to a static threshold.</summary>
    public int MinHistory { get; set; } = 12;

    public double FallbackThreshold { get; set; } = 0.7;

    /// <summary>Share of a host's link that migrations may use (CloudSim reserves half: bandwidth / 2).</summary>
    public double MigrationBandwidthShare { get; set; } = 0.5;

    public string Mode { get; set; } = "precopy";
    public bool SharedStorage { get; set; } = false;

    /// <summary>Image size per VM; null takes CloudSim's VM_SIZE (2500 MB).</summary>
    public double? DiskMb { get; set; }

    /// <summary>CPU and device state sent during the downtime.</summary>
    public double DeviceStateMb { get; set; } = 1;

    /// <summary>What each VM writes to its disk per second while pre-copy runs, sent again unless storage is shared.</summary>
    public double DiskWriteMbPerSecond { get; set; } = 0;

    public double SetupSeconds { get; set; } = 0.5;
    public double ResumeSeconds { get; set; } = 0.02;
    public double DowntimeLimitSeconds { get; set; } = 0.3;
    public int MaxRounds { get; set; } = 30;
    public double MaxSentRamFactor { get; set; } = 3;

    /// <summary>Joules per MB sent and per migration (E = alpha * MB + beta).</summary>
    public double EnergyAlphaJoulesPerMb { get; set; } = 0.512;
    public double EnergyBetaJoules { get; set; } = 20.165;

    /// <summary>Share of a VM's image that a host already holds once it has held any VM of the same image family (the
    /// VM type: VMs of a type come from one base image). Counted as "already present" by the dedup strategies.</summary>
    public double FamilyShare { get; set; } = 0.8;

    /// <summary>Disk images (paths relative to the scenario file) on which the disk shares of fixed, rabin and adaptive are
    /// measured: <c>orleans-dedup simulate</c> ingests them with each strategy into a scratch store, and the measured zero
    /// and duplicate shares replace those of the file (<see cref="StrategySpec.Measure"/>). Empty: the shares are assumed.</summary>
    public List<string> Images { get; set; } = [];

    public DirtySpec Dirty { get; set; } = new();
    public TraceSpec Trace { get; set; } = new();
    public List<StrategySpec> Strategies { get; set; } = [];

    public void Validate()
    {
        if (Hosts < 1 || Vms < 1 || Steps < 1 || StepSeconds <= 0) throw new ArgumentException("hosts, vms, steps and stepSeconds must be positive.");
        if (SafetyParameter < 0 || MinHistory < 4) throw new ArgumentException("safetyParameter must be >= 0 and minHistory >= 4.");
        if (MigrationBandwidthShare is <= 0 or > 1) throw new ArgumentException("migrationBandwidthShare must be in (0, 1].");
        if (Mode is not ("precopy" or "postcopy")) throw new ArgumentException("mode must be precopy or postcopy.");
        if (FamilyShare is < 0 or > 1) throw new ArgumentException("familyShare must be in [0, 1].");
        if (DiskWriteMbPerSecond < 0) throw new ArgumentException("diskWriteMbPerSecond must be >= 0.");
        if (Dirty.Kind is not ("constant" or "wws")) throw new ArgumentException("dirty.kind must be constant or wws.");
        if (Trace.Mean is < 0 or > 1 || Trace.Spread < 0 || Trace.Phi is < 0 or >= 1 || Trace.Noise < 0)
            throw new ArgumentException("trace: mean in [0, 1], spread >= 0, phi in [0, 1), noise >= 0.");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in EffectiveStrategies())
        {
            if (!names.Add(s.Name)) throw new ArgumentException($"strategy '{s.Name}' appears twice.");
            s.MemoryFilter().Validate();
            s.DiskFilter().Validate();
        }
    }

    /// <summary>The strategies to compare: those of the file, or no dedup, fixed, Rabin and adaptive with the defaults.</summary>
    public IReadOnlyList<StrategySpec> EffectiveStrategies() => Strategies.Count > 0 ? Strategies : StrategySpec.Defaults();

    public static ScenarioSpec Parse(string text, string? fileName = null)
    {
        var json = fileName?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ?? text.TrimStart().StartsWith('{');
        ScenarioSpec? spec;
        try
        {
            spec = json
                ? JsonSerializer.Deserialize<ScenarioSpec>(text, new JsonSerializerOptions
                {
                    PropertyNameCaseInsensitive = true,
                    ReadCommentHandling = JsonCommentHandling.Skip,
                    AllowTrailingCommas = true,
                    UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
                })
                : new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<ScenarioSpec>(text);
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw new FormatException($"the scenario {(fileName is null ? "" : $"'{fileName}' ")}is not valid {(json ? "JSON" : "YAML")}: {e.Message}", e);
        }
        spec ??= new ScenarioSpec();
        spec.Validate();
        return spec;
    }

    public static ScenarioSpec Load(string path)
    {
        var spec = Parse(File.ReadAllText(path), path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        spec.Images = spec.Images.Select(i => Path.GetFullPath(i, directory)).ToList();
        return spec;
    }
}

/// <summary>The dirty-page model of every VM, scaled by its CPU utilisation at the step (a busy VM writes more).</summary>
public sealed class DirtySpec
{
    /// <summary>constant: D = u * maxMbPerSecond. wws: a writable working set of workingSetShare x RAM rewritten at
    /// u * maxMbPerSecond, plus the rest of memory dirtied at coldShare times that rate.</summary>
    public string Kind { get; set; } = "wws";
    public double MaxMbPerSecond { get; set; } = 40;
    public double WorkingSetShare { get; set; } = 0.1;
    public double ColdShare { get; set; } = 0.05;

    public DirtyPageModel For(double utilisation, double ramBytes)
    {
        var rate = utilisation * MaxMbPerSecond * 1e6;
        return Kind == "constant" ? new ConstantDirtyRate(rate) : new WritableWorkingSet(WorkingSetShare * ramBytes, rate, rate * ColdShare);
    }
}

/// <summary>Synthetic CPU utilisation: per VM a mean drawn from mean +- spread, then an AR(1) walk around it,
/// u_(t+1) = m + phi * (u_t - m) + noise * N(0, 1), clamped to [0, 1].</summary>
public sealed class TraceSpec
{
    public double Mean { get; set; } = 0.5;
    public double Spread { get; set; } = 0.3;
    public double Phi { get; set; } = 0.8;
    public double Noise { get; set; } = 0.15;
}

/// <summary>One dedup strategy's effect on migration traffic. Fractions are shares of bytes. <see cref="DedupRate"/>, when
/// given (e.g. the overall rate that <c>compare</c> measured, in %), sets the disk duplicate share for keys left unset.</summary>
public sealed class StrategySpec
{
    public string Name { get; set; } = "";
    public bool Dedup { get; set; } = true;
    public double? DedupRate { get; set; }
    public double MemoryZero { get; set; }
    public double MemoryDuplicate { get; set; }
    public double? RedirtiedZero { get; set; }
    public double? RedirtiedDuplicate { get; set; }
    public double DiskZero { get; set; }
    public double? DiskDuplicate { get; set; }

    /// <summary>Set when the disk shares were measured on real images (not in a scenario file: a file cannot claim it).</summary>
    [YamlIgnore, System.Text.Json.Serialization.JsonIgnore]
    public bool Measured { get; private set; }

    /// <summary>Disk shares measured by ingesting real images: the share of bytes in zero blocks, and the share that
    /// duplicates data seen earlier in the image set (what a destination holding the earlier images need not receive).</summary>
    public void Measure(double zeroShare, double duplicateShare)
    {
        DiskZero = zeroShare;
        DiskDuplicate = duplicateShare;
        DedupRate = null;
        Measured = true;
    }

    public DedupFilter MemoryFilter() => !Dedup ? DedupFilter.None
        : new DedupFilter(MemoryZero, MemoryDuplicate, RedirtiedZero ?? MemoryZero * 0.5, RedirtiedDuplicate ?? MemoryDuplicate * 0.25);

    public DedupFilter DiskFilter()
    {
        if (!Dedup) return DedupFilter.None;
        var duplicate = DiskDuplicate ?? (DedupRate is { } rate ? Math.Max(0, rate / 100 - DiskZero) : 0);
        return DedupFilter.Uniform(DiskZero, duplicate);
    }

    /// <summary>Assumed shares, so that a bare scenario runs: zero pages are found by any strategy; content-defined
    /// chunking finds more shifted duplicates on disks. Real disk shares come from <see cref="ScenarioSpec.Images"/>.</summary>
    public static List<StrategySpec> Defaults() =>
    [
        new() { Name = "none", Dedup = false },
        new() { Name = "fixed", MemoryZero = 0.20, MemoryDuplicate = 0.08, DiskZero = 0.25, DiskDuplicate = 0.20 },
        new() { Name = "rabin", MemoryZero = 0.20, MemoryDuplicate = 0.06, DiskZero = 0.25, DiskDuplicate = 0.24 },
        new() { Name = "adaptive", MemoryZero = 0.20, MemoryDuplicate = 0.08, DiskZero = 0.25, DiskDuplicate = 0.27 },
    ];
}
