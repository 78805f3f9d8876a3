namespace OrleansDedup.Migration;

/// <summary>Host power as a function of CPU utilisation, linearly interpolated between SPECpower measurements at
/// 0 %, 10 %, ..., 100 % (CloudSim's PowerModelSpecPower).</summary>
public sealed class SpecPowerModel(string name, double[] watts)
{
    public string Name { get; } = name;

    public IReadOnlyList<double> Watts { get; } = watts.Length == 11 ? watts : throw new ArgumentException("Eleven measurements: 0 %, 10 %, ..., 100 %.");

    /// <summary>Watts at <paramref name="utilisation"/> in [0, 1].</summary>
    public double Power(double utilisation)
    {
        if (utilisation < 0 || utilisation > 1 + 1e-9 || double.IsNaN(utilisation)) throw new ArgumentOutOfRangeException(nameof(utilisation));
        utilisation = Math.Min(1, utilisation);
        var at = utilisation * 10;
        var low = (int)Math.Floor(at);
        if (low >= 10) return Watts[10];
        return Watts[low] + (Watts[low + 1] - Watts[low]) * (at - low);
    }

    /// <summary>HP ProLiant ML110 G4 (1 x Xeon 3040, 2 cores at 1860 MHz, 4 GB), SPECpower_ssj2008.</summary>
    public static SpecPowerModel HpProLiantMl110G4 { get; } = new("HP ProLiant ML110 G4", [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]);

    /// <summary>HP ProLiant ML110 G5 (1 x Xeon 3075, 2 cores at 2660 MHz, 4 GB), SPECpower_ssj2008.</summary>
    public static SpecPowerModel HpProLiantMl110G5 { get; } = new("HP ProLiant ML110 G5", [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135]);
}

/// <summary>A host type: per-core MIPS, cores, RAM (MB), link bandwidth (kbit/s, CloudSim's unit) and power model.</summary>
public sealed record HostType(string Name, double MipsPerCore, int Cores, double RamMb, double BandwidthKbps, SpecPowerModel Power)
{
    public double TotalMips => MipsPerCore * Cores;

    /// <summary>The link in bytes per second (kbit/s x 125).</summary>
    public double BandwidthBytesPerSecond => BandwidthKbps * 1000 / 8;
}

/// <summary>A VM type: MIPS, cores, RAM (MB), bandwidth (kbit/s) and image size (MB).</summary>
public sealed record VmType(string Name, double Mips, int Cores, double RamMb, double BandwidthKbps, double DiskMb);

/// <summary>The host and VM types of CloudSim's power examples (org.cloudbus.cloudsim.examples.power.Constants), which the
/// IqrMu experiment and the published method ran: two HP ProLiant hosts and four EC2-like VM types.</summary>
public static class CloudSimCatalog
{
    public static readonly HostType[] Hosts =
    [
        new("HP ProLiant ML110 G4", 1860, 2, 4096, 1_000_000, SpecPowerModel.HpProLiantMl110G4),
        new("HP ProLiant ML110 G5", 2660, 2, 4096, 1_000_000, SpecPowerModel.HpProLiantMl110G5),
    ];

    /// <summary>High-CPU medium, extra large, small and micro instances (CloudSim's VM_MIPS, VM_RAM; 2500 MB images).</summary>
    public static readonly VmType[] Vms =
    [
        new("high-cpu-medium", 2500, 1, 870, 100_000, 2500),
        new("extra-large", 2000, 1, 1740, 100_000, 2500),
        new("small", 1000, 1, 1740, 100_000, 2500),
        new("micro", 500, 1, 613, 100_000, 2500),
    ];

    /// <summary>CloudSim gives host i the type i mod 2.</summary>
    public static HostType HostOf(int index) => Hosts[index % Hosts.Length];

    /// <summary>CloudSim gives VM i of n the type i / ceil(n / 4).</summary>
    public static int VmTypeIndexOf(int index, int count) => index / (int)Math.Ceiling((double)count / Vms.Length);
}
