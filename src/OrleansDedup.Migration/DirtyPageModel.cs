namespace OrleansDedup.Migration;

/// <summary>How fast a running VM dirties its memory. <see cref="Dirtied"/> gives the distinct bytes dirtied during an
/// interval of <c>seconds</c> while the previous round was being sent: the V_i of the next pre-copy round.</summary>
public abstract record DirtyPageModel
{
    /// <summary>Distinct bytes dirtied in <paramref name="seconds"/>, never more than <paramref name="ramBytes"/>.</summary>
    public abstract double Dirtied(double seconds, double ramBytes);

    /// <summary>The long-run dirtying rate in bytes per second (the D of lambda = D / R).</summary>
    public abstract double Rate { get; }

    /// <summary>No page is ever dirtied (CloudSim's assumption).</summary>
    public static DirtyPageModel None { get; } = new ConstantDirtyRate(0);
}

/// <summary>A constant dirtying rate D (bytes/s): V_i = D * T_(i-1), capped at the RAM size.</summary>
/// <remarks>Every dirtied byte is taken to be a distinct page (no rewrites of the same page within a round): the
/// classic upper-bound model of Clark et al. and of most analytical pre-copy papers.</remarks>
public sealed record ConstantDirtyRate(double BytesPerSecond) : DirtyPageModel
{
    public override double Rate => BytesPerSecond;

    public override double Dirtied(double seconds, double ramBytes) => Math.Min(BytesPerSecond * Math.Max(0, seconds), ramBytes);
}

/// <summary>A writable working set (WWS) of <paramref name="WorkingSetBytes"/> rewritten at <paramref name="HotRate"/>
/// bytes/s, plus the rest of memory dirtied at <paramref name="ColdRate"/> bytes/s: V_i = min(WWS, hot * T) +
/// min(RAM - WWS, cold * T). A hot working set saturates: once it is all dirty, longer rounds add only cold pages.</summary>
public sealed record WritableWorkingSet(double WorkingSetBytes, double HotRate, double ColdRate) : DirtyPageModel
{
    public override double Rate => HotRate + ColdRate;

    public override double Dirtied(double seconds, double ramBytes)
    {
        seconds = Math.Max(0, seconds);
        var wws = Math.Min(WorkingSetBytes, ramBytes);
        return Math.Min(wws, HotRate * seconds) + Math.Min(ramBytes - wws, ColdRate * seconds);
    }
}
